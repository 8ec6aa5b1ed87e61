// Form rows in LuCI's markup (cbi-value, cbi-value-title, cbi-value-field), so that themes
// lay them out like every other page; each control is labelled, and its error and help text
// are tied to it with aria-describedby.
import type { ComponentChildren } from 'preact';

export function domId(field: string): string {
  return `bond-${field.replace(/\./g, '-')}`;
}

export interface FieldProps {
  field: string; // see validate.ts: fieldKey
  label: string;
  error?: string | undefined;
  help?: ComponentChildren;
  children: (a11y: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: 'true'; class: string }) => ComponentChildren;
}

export function Field({ field, label, error, help, children }: FieldProps) {
  const id = domId(field);
  const described = [error ? `${id}-error` : '', help ? `${id}-help` : ''].filter(Boolean).join(' ');
  return (
    <div class={`cbi-value${error ? ' bond-invalid' : ''}`} data-field={field}>
      <label class="cbi-value-title" for={id}>
        {label}
      </label>
      <div class="cbi-value-field">
        {children({
          id,
          class: error ? 'cbi-input-invalid' : '',
          ...(described ? { 'aria-describedby': described } : {}),
          ...(error ? { 'aria-invalid': 'true' as const } : {}),
        })}
        {error ? (
          <div class="bond-field-error" id={`${id}-error`}>
            {error}
          </div>
        ) : null}
        {help ? (
          <div class="cbi-value-description" id={`${id}-help`}>
            {help}
          </div>
        ) : null}
      </div>
    </div>
  );
}

export interface SelectProps {
  value: string;
  options: [value: string, label: string][];
  onChange: (v: string) => void;
  a11y: Record<string, string | undefined>;
}

export function Select({ value, options, onChange, a11y }: SelectProps) {
  return (
    <select {...a11y} class={`cbi-input-select ${a11y.class ?? ''}`} value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
      {options.map(([v, l]) => (
        <option key={v} value={v}>
          {l}
        </option>
      ))}
    </select>
  );
}

export interface TextProps {
  value: string;
  onInput: (v: string) => void;
  a11y: Record<string, string | undefined>;
  type?: 'text' | 'password';
  placeholder?: string;
  inputMode?: 'numeric' | 'decimal' | 'text';
  autoComplete?: string;
}

export function Text({ value, onInput, a11y, type = 'text', placeholder, inputMode, autoComplete = 'off' }: TextProps) {
  const common = {
    ...a11y,
    class: `cbi-input-text ${a11y.class ?? ''}`,
    value,
    placeholder,
    inputMode,
    autoComplete,
    spellcheck: false,
    onInput: (e: Event) => onInput((e.currentTarget as HTMLInputElement).value),
  };
  // two literal types: preact's typings tie the other attributes to the input type
  return type === 'password' ? <input {...common} type="password" /> : <input {...common} type="text" />;
}
