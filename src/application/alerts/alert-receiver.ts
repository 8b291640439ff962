import type { AlertNotification } from '../../domain/alerts/alert.js';

/** An alert as it reached Triage: a message in an alert channel, or a webhook call. */
export interface IncomingAlert {
  notification: AlertNotification;
  /** Where the diagnosis goes. */
  channel: string;
  /** The alert's own chat message (threads go under it); absent for webhook alerts. */
  alertTs?: string;
}

/** What Triage did with one incoming alert. */
export type IntakeOutcome =
  | 'queued'
  | 'repeat'
  | 'grouped'
  | 'resolved'
  | 'below-severity'
  | 'dropped'
  | 'unmatched-resolve';

/**
 * The front door for alerts, whatever carried them (an alert channel's message, Alertmanager's webhook): decides
 * what to do with one alert and starts doing it; resolves once the decision is recorded.
 */
export interface AlertReceiver {
  accept(incoming: IncomingAlert): Promise<IntakeOutcome>;
}
