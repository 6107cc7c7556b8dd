/** A minimal typed event emitter; src/extension adapts it to vscode.EventEmitter. */
export type Unsubscribe = () => void;

export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** Listener errors are reported through `onListenerError` and never break the emitter. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as (p: Events[K]) => void)(payload);
      } catch (err) {
        this.onListenerError(err, String(event));
      }
    }
  }

  onListenerError: (err: unknown, event: string) => void = (err, event) => {
    console.error(`listener for ${event} failed`, err);
  };
}
