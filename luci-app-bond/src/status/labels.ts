// Words for the daemon's enumerations, translatable one by one (each _() call is literal).
import { _ } from '../i18n.js';

export function stateLabel(state: string): string {
  switch (state) {
    case 'up': return _('Up');
    case 'down': return _('Down');
    case 'probing': return _('Probing');
    case 'degraded': return _('Degraded');
    case 'disabled': return _('Disabled');
    case 'connected': return _('Connected');
    case 'connecting': return _('Connecting');
    default: return state;
  }
}

export function roleLabel(role: string): string {
  switch (role) {
    case 'primary': return _('Primary');
    case 'secondary': return _('Secondary');
    case 'backup': return _('Backup');
    default: return role;
  }
}

export function schedulerLabel(s: string): string {
  switch (s) {
    case 'adaptive': return _('Adaptive');
    case 'roundrobin': return _('Round robin');
    case 'failover': return _('Failover');
    case 'redundant': return _('Redundant');
    default: return s;
  }
}

// The colour class of a state: good, busy (on its way), bad, off.
export function stateTone(state: string): 'good' | 'busy' | 'bad' | 'off' {
  if (state === 'up' || state === 'connected') return 'good';
  if (state === 'probing' || state === 'connecting' || state === 'degraded') return 'busy';
  if (state === 'disabled') return 'off';
  return 'bad';
}
