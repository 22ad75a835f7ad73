/**
 * Unsaved changes: the browser asks before the page is closed or reloaded (beforeunload), and
 * the view asks before an in-app navigation (the router calls `canLeave`).
 */
export class LeaveGuard {
  private dirty = false;
  private readonly onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (!this.dirty) return;
    event.preventDefault();
    event.returnValue = '';
  };

  constructor(private readonly onChange: (dirty: boolean) => void = () => {}) {
    window.addEventListener('beforeunload', this.onBeforeUnload);
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  set(dirty: boolean): void {
    if (dirty === this.dirty) return;
    this.dirty = dirty;
    this.onChange(dirty);
  }

  /** True when there is nothing to lose or the user agrees to lose it. */
  confirmDiscard(what = 'leave this page'): boolean {
    return !this.dirty || window.confirm(`You have unsaved changes. Discard them and ${what}?`);
  }

  destroy(): void {
    window.removeEventListener('beforeunload', this.onBeforeUnload);
  }
}
