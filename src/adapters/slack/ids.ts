/**
 * Action ids and block ids of the messages Triage posts. Interaction handlers match on `action_id`; every button's
 * `value` carries the run id. Block ids here are used at most once per message (Slack rejects duplicates).
 */
export const ACTIONS = {
  rerun: 'triage_rerun',
  confirm: 'triage_confirm',
  reject: 'triage_reject',
  exportPostmortem: 'triage_export_postmortem',
} as const;

export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];

export const BLOCKS = {
  rootHeader: 'triage_root_header',
  rootSummary: 'triage_root_summary',
  rootContext: 'triage_root_context',
  rootActions: 'triage_root_actions',
  stepSummary: 'triage_step_summary',
  stepContext: 'triage_step_context',
  ledgerConclusion: 'triage_ledger_conclusion',
  ledgerMitigations: 'triage_ledger_mitigations',
  ledgerUnmeasured: 'triage_ledger_unmeasured',
  helpUsage: 'triage_help_usage',
  explainService: 'triage_explain_service',
  explainRead: 'triage_explain_read',
  explainMissing: 'triage_explain_missing',
  rootAlert: 'triage_root_alert',
  alertNotes: 'triage_alert_notes',
  alertGroup: 'triage_alert_group',
  stormSummary: 'triage_storm_summary',
  stormAlerts: 'triage_storm_alerts',
  /** The section `enforceLimits` adds when it folds blocks past the 50-block limit. */
  more: 'triage_more',
} as const;

export type BlockId = (typeof BLOCKS)[keyof typeof BLOCKS];
