import type { JournalNote, RunAlertInfo } from '../ports/run-store.js';

/** A line an alert adds to the thread it belongs to. `link` points at the alert's own message, when it has one. */
export type AlertLine =
  | { kind: 'repeat'; title: string; at: Date; link?: string }
  | { kind: 'grouped'; title: string; at: Date; link?: string }
  | { kind: 'resolved'; title: string; at: Date; stillFiring: number }
  | { kind: 'refired'; title: string; at: Date; link?: string };

/** How an alert changes the state a thread's root shows. */
export type AlertChange =
  /** Another alert for the service joined the diagnosis. */
  | { kind: 'grouped'; title: string }
  /** The alert fired again; `refired` when its thread had been resolved. */
  | { kind: 'repeat'; refired: boolean }
  /** The thread's last firing alert resolved. */
  | { kind: 'resolved'; at: Date };

/** The alert state of a run after a change (a new object: the given one is left as it was). */
export function changeAlert(alert: Readonly<RunAlertInfo>, change: AlertChange): RunAlertInfo {
  switch (change.kind) {
    case 'grouped':
      return { ...alert, grouped: [...alert.grouped, change.title] };
    case 'repeat': {
      const { resolvedAt: _resolved, ...firing } = alert;
      return change.refired
        ? { ...firing, grouped: [...alert.grouped], repeats: alert.repeats + 1, status: 'firing' }
        : { ...alert, grouped: [...alert.grouped], repeats: alert.repeats + 1 };
    }
    case 'resolved':
      return { ...alert, grouped: [...alert.grouped], status: 'resolved', resolvedAt: change.at };
  }
}

/** An alert line as the run's journal keeps it. */
export function journalLine(line: AlertLine): JournalNote {
  const link = 'link' in line && line.link ? { link: line.link } : {};
  switch (line.kind) {
    case 'grouped':
      return { type: 'alert-grouped', title: line.title, ...link };
    case 'resolved':
      return { type: 'alert-resolved', title: line.title, ...(line.stillFiring === 0 ? { resolvedAt: line.at } : {}) };
    default:
      return { type: 'alert-repeat', title: line.title, ...link };
  }
}
