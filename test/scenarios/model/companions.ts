/**
 * Other services of a scenario's call graph (a callee the service calls, that callee's own callee …), rendered into
 * the same Prometheus as the scenario's service, over their own windows. A scenario is still about one service; its
 * companions are the neighbours a real Prometheus would hold too. They go in the scenario's `exporters`.
 */
import { renderService } from './simulate.js';
import type { ExporterModel, ServiceModel } from './types.js';

/** Renders `models` (each a whole service, with its pods, cAdvisor and kube-state-metrics series) once. */
export function companionServices(...models: readonly ServiceModel[]): ExporterModel {
  let rendered = false;
  return {
    emit(_model, handles) {
      if (rendered) return;
      rendered = true;
      for (const model of models) renderService(handles.writer, model);
    },
  };
}
