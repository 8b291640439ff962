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

/** Applies a change to the alert state of a run, in place. */
export function applyAlertChange(alert: RunAlertInfo, change: AlertChange): void {
  switch (change.kind) {
    case 'grouped':
      alert.grouped.push(change.title);
      return;
    case 'repeat':
      alert.repeats++;
      if (change.refired) {
        alert.status = 'firing';
        delete alert.resolvedAt;
      }
      return;
    case 'resolved':
      alert.status = 'resolved';
      alert.resolvedAt = change.at;
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
