/** A switch that is on only while a function given to {@link runWith} runs (nested runs included). */
export class ScopedFlag {
  private on = false;

  /** Whether a {@link runWith} is running. */
  public get isOn(): boolean {
    return this.on;
  }

  /** Runs `fn` with the flag on, and restores it afterwards, also when `fn` throws. */
  public runWith<T>(fn: () => T): T {
    const outer = this.on;
    this.on = true;
    try {
      return fn();
    } finally {
      this.on = outer;
    }
  }
}
