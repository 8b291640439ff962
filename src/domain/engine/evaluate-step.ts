import type { Step } from '../playbook/schema.js';
import { evaluateLogStep } from './evaluate-log-step.js';
import { evaluateMetricStep } from './evaluate-metric-step.js';
import { evaluateScanStep } from './evaluate-scan-step.js';
import type { StepContext } from './step-context.js';
import type { StepResult } from './types.js';

/** Runs one step of either kind. */
export function evaluateStep(step: Step, ctx: StepContext): Promise<Omit<StepResult, 'durationMs'>> {
  if (step.kind === 'logs') return evaluateLogStep(step, ctx);
  if (step.kind === 'scan') return evaluateScanStep(step, ctx);
  return evaluateMetricStep(step, ctx);
}
