const children = new WeakMap<AbortSignal, Set<AbortController>>();

/**
 * An AbortSignal that aborts with its parent, registered through a single listener per parent. A run has one
 * deadline signal and dozens of concurrent queries; giving each query its own child keeps listener counts per
 * signal small (Node warns past ten) and lets a finished query drop its child with `release()`.
 */
export function childSignal(parent: AbortSignal): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, release: () => {} };
  }
  let set = children.get(parent);
  if (!set) {
    const created = new Set<AbortController>();
    children.set(parent, created);
    parent.addEventListener(
      'abort',
      () => {
        for (const c of created) c.abort(parent.reason);
        created.clear();
      },
      { once: true },
    );
    set = created;
  }
  set.add(controller);
  const owner = set;
  return { signal: controller.signal, release: () => owner.delete(controller) };
}
