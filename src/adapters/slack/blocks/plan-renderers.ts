import type {
  FindingGroupMessage,
  NormalFoldMessage,
  NotMeasuredMessage,
  ThreadMessage,
} from '../../../domain/report/thread-plan.js';
import type { FindingChart } from './render-finding-group.js';
import type { SlackMessage } from './slack-message.js';

/** The renderers of the planned thread replies (`planThread`), redacting first like the others. */
export interface PlanRenderers {
  findingGroup(message: FindingGroupMessage, charts?: readonly FindingChart[]): SlackMessage;
  normalFold(message: NormalFoldMessage): SlackMessage;
  notMeasured(message: NotMeasuredMessage): SlackMessage;
}

/** The Slack message of one planned reply; the ledger is rendered by `ledger` (it needs the run's record). */
export function renderPlanned(message: ThreadMessage, render: PlanRenderers, ledger: () => SlackMessage): SlackMessage {
  switch (message.kind) {
    case 'finding-group':
      return render.findingGroup(message);
    case 'normal-fold':
      return render.normalFold(message);
    case 'not-measured':
      return render.notMeasured(message);
    default:
      return ledger();
  }
}
