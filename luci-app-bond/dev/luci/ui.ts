// LuCI's ui module (ui.js), the parts a view meets: notifications, the apply status box, and
// changes.apply(checked), which applies the session's staged UCI changes (with rollback
// protection when checked), confirms them and reloads the page, as LuCI does.
import { create } from './dom.js';

type Uci = ReturnType<typeof import('./uci.js').createUci>;

export function createUi(uci: Uci, env: { apply_rollback: number; apply_display: number }) {
  const status = (cls: string | false, text?: string) => {
    let box = document.getElementById('applyreboot-section');
    if (cls === false) return box?.remove();
    if (!box) {
      box = create('div', { id: 'applyreboot-section', class: 'alert-message', role: 'status' }) as HTMLElement;
      document.getElementById('maincontent')?.prepend(box);
    }
    box.className = `alert-message ${cls}`;
    box.textContent = text ?? '';
  };

  return {
    addNotification(title: string | null, children: unknown, ...classes: string[]) {
      const n = create('div', { class: `alert-message fade-in ${classes.join(' ')}`, role: 'alert' }, [
        title ? create('h4', {}, title) : null,
        children as Node,
      ]) as HTMLElement;
      document.getElementById('maincontent')?.prepend(n);
      return n;
    },

    changes: {
      displayStatus: status,
      async apply(checked = true) {
        status('notice spinning', 'Starting configuration apply…');
        try {
          const rv = checked ? await uci.apply(env.apply_rollback) : await uci.callApply(env.apply_rollback, false);
          if (rv !== 0) throw rv;
          status('notice', 'Configuration changes applied.');
          document.dispatchEvent(new CustomEvent('uci-applied'));
          setTimeout(() => (window.location.href = window.location.href.split('#')[0]!), env.apply_display * 1000);
        } catch (e) {
          status('warning', e === 5 ? 'There are no changes to apply' : `Apply request failed with status ${String(e)}`);
        }
      },
    },

    showModal(title: string, children: unknown) {
      const m = create('div', { id: 'modal_overlay', role: 'dialog', 'aria-modal': 'true', 'aria-label': title }, [create('div', { class: 'modal' }, [create('h4', {}, title), children as Node])]);
      document.body.appendChild(m);
      return m;
    },

    hideModal() {
      document.getElementById('modal_overlay')?.remove();
    },
  };
}
