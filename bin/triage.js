#!/usr/bin/env node
// The `triage` command line: dist/cli/main.js (see entry.js for the source-checkout fallback).
import { runEntry } from './entry.js';

await runEntry('cli/main', 'triage');
