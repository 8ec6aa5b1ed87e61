// Checks the form with bondd's own rules: the sections the form would write are turned into
// the text of /etc/config/bonding and given to parseConfigText, the function behind
// `bondd check` (src/config, bundled into the page). Its problems name lines; each line of
// the text we made is known to belong to a field, a section or something the form does not
// show, so every problem lands next to what caused it.
import { DEFAULT_CONFIG, parseConfigText } from '../../../src/config/load.js';
import { quote } from '../../../src/uci/quote.js';
import { isValidName } from '../../../src/uci/names.js';
import type { FormState, Section } from './model.js';
import { _, format } from '../i18n.js';

interface LineOwner {
  key: string | null; // 'main', a link id, or null for sections the form does not edit
  option: string | null; // null: the section's header line
  label: string; // how to name the place in a message that has no field to sit by
}

export function serialize(sections: Section[]): { text: string; lines: Map<number, LineOwner> } {
  const out: string[] = [];
  const lines = new Map<number, LineOwner>();
  for (const s of sections) {
    const label = s.name ? `${s.type} '${s.name}'` : s.type;
    if (out.length) out.push('');
    out.push(`config ${s.type}${s.name ? ` ${quote(s.name)}` : ''}`);
    lines.set(out.length, { key: s.key, option: null, label });
    for (const [name, value] of s.options) {
      for (const v of Array.isArray(value) ? value : [value]) {
        out.push(`\t${Array.isArray(value) ? 'list' : 'option'} ${name} ${quote(v)}`);
        lines.set(out.length, { key: s.key, option: name, label: `${label}, ${name}` });
      }
    }
  }
  return { text: out.join('\n') + '\n', lines };
}

export interface Problem {
  severity: 'error' | 'warning';
  message: string;
  field: string | null; // the form field it belongs to, see fieldKey
  where: string; // a place for messages shown away from a field
}

// Field keys: 'main.server', '<link id>.max_down', '<link id>.source', '<link id>.name', or
// a section alone ('main', '<link id>') for problems about the section as a whole.
export function fieldKey(key: string, option: string | null): string {
  if (option === null) return key;
  if (key !== 'main' && (option === 'interface' || option === 'device')) return `${key}.source`;
  return `${key}.${option}`;
}

// UCI's own rule for the names of new sections (the writer refuses others), checked before
// the config rules because an invalid name would not even parse.
function nameProblems(form: FormState): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  if (form.main.sid) seen.set(form.main.sid, 'main');
  for (const l of form.links) {
    const where = format(_('link %s'), l.name);
    if (!isValidName(l.name)) problems.push({ severity: 'error', field: `${l.id}.name`, where, message: _('The name may contain only letters, digits and _') });
    else if (seen.has(l.name)) problems.push({ severity: 'error', field: `${l.id}.name`, where, message: format(_('Another section is called %s already'), l.name) });
    seen.set(l.name, l.id);
  }
  return problems;
}

export function validate(form: FormState, sections: Section[]): Problem[] {
  const names = nameProblems(form);
  if (names.length) return names;
  const { text, lines } = serialize(sections);
  const { problems } = parseConfigText(text, DEFAULT_CONFIG);
  return problems.map((p) => {
    const owner = lines.get(p.line);
    // a missing option is reported on the section's header: it belongs to the field of that option
    const field = owner?.key ? fieldKey(owner.key, p.option ?? owner.option) : null;
    return { severity: p.severity, message: p.message, field, where: owner?.label ?? DEFAULT_CONFIG };
  });
}
