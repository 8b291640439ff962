#!/usr/bin/env node
// The Slack app (`triage-app`, `npm start`): dist/main.js (see entry.js for the source-checkout fallback).
import { runEntry } from './entry.js';

await runEntry('main', 'triage-app');
