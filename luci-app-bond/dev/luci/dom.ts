// LuCI's DOM helpers (L.dom.create, the global E(), content, append) for the parts the view
// and the stand-in modules use.

type Children = Node | string | number | null | undefined | Children[];

export function append(node: Element | DocumentFragment, children: Children): void {
  if (children === null || children === undefined) return;
  if (Array.isArray(children)) for (const c of children) append(node, c);
  else if (children instanceof Node) node.appendChild(children);
  else node.appendChild(document.createTextNode(String(children)));
}

export function content(node: Element, children: Children): void {
  while (node.firstChild) node.removeChild(node.firstChild);
  append(node, children);
}

export function create(tag: string | Children[], attrs?: Record<string, unknown> | Children, children?: Children): Element | DocumentFragment {
  if (Array.isArray(tag)) {
    const f = document.createDocumentFragment();
    append(f, tag);
    return f;
  }
  if (Array.isArray(attrs) || attrs instanceof Node || typeof attrs !== 'object' || attrs === null) {
    children = attrs as Children;
    attrs = undefined;
  }
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries((attrs as Record<string, unknown>) ?? {})) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'function') el.addEventListener(k, v as EventListener);
    else el.setAttribute(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  append(el, children);
  return el;
}
