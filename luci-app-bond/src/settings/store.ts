// The settings form's state between the page (Preact) and the view's Save handlers (LuCI):
// both hold the same store, the page re-renders when it says so.
import type { UciSectionObject } from '../luci.js';
import { formSections, readForm, uciOps, type FormState, type UciOp } from './model.js';
import { validate, type Problem } from './validate.js';

export class SettingsStore {
  form: FormState;
  problems: Problem[] = [];
  // after a first attempt to save, problems follow every keystroke (they go away when fixed)
  checked = false;
  private readonly listeners = new Set<() => void>();

  constructor(private sections: UciSectionObject[]) {
    this.form = readForm(sections);
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }

  update(change: (form: FormState) => void): void {
    change(this.form);
    if (this.checked) this.check();
    this.emit();
  }

  check(): Problem[] {
    this.problems = validate(this.form, formSections(this.sections, this.form));
    return this.problems;
  }

  get errors(): Problem[] {
    return this.problems.filter((p) => p.severity === 'error');
  }

  /** Validates and, when the form is valid, says what uci.js must change. */
  prepare(): { errors: Problem[]; ops: UciOp[] } {
    this.checked = true;
    this.check();
    this.emit();
    const errors = this.errors;
    return { errors, ops: errors.length ? [] : uciOps(this.sections, formSections(this.sections, this.form)) };
  }

  /** Starts over from these sections (after a save, or on Reset). */
  reset(sections: UciSectionObject[]): void {
    this.sections = sections;
    this.form = readForm(sections);
    this.problems = [];
    this.checked = false;
    this.emit();
  }
}
