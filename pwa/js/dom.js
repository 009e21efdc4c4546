// Building the page from elements and text nodes only: every text goes in as a text node, so nothing a user wrote
// is ever markup.

let uid = 0;
export const nextId = (prefix) => `${prefix}-${++uid}`;

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "value" || k === "checked") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// A labelled control; `hint` is read out with it. `input` is the element (its id is set here).
export function field(label, input, hint) {
  input.id ||= nextId("f");
  const parts = [h("label", { for: input.id }, label)];
  if (hint) {
    const hintId = nextId("hint");
    input.setAttribute("aria-describedby", hintId);
    parts.push(h("p", { id: hintId, class: "hint" }, hint));
  }
  return h("div", { class: "field" }, parts, input);
}

// A group of radio buttons, each with a one-sentence explanation.
export function choices(legend, name, options, selected, onChange) {
  return h(
    "fieldset",
    { class: "choices" },
    h("legend", {}, legend),
    options.map(([value, label, explain]) => {
      const id = `${name}-${value}`;
      const hintId = explain ? `${id}-hint` : null;
      return h(
        "div",
        { class: "choice" },
        h("input", {
          type: "radio", id, name, value, checked: selected === value, "aria-describedby": hintId,
          onchange: () => onChange(value),
        }),
        h("label", { for: id }, h("strong", {}, label), explain && h("span", { id: hintId }, explain)),
      );
    }),
  );
}

export const button = (label, onclick, cls = "") => h("button", { type: "button", class: cls, onclick }, label);

// Errors are announced (role=alert) and kept next to what caused them.
export function alertBox(text) {
  return h("p", { class: "alert", role: "alert" }, text);
}

// Anything else worth saying ("sent", "language changed") goes to the page's polite live region (#status), emptied
// first so that the same words said twice are read twice.
export function announce(text) {
  const status = document.getElementById("status");
  status.textContent = "";
  setTimeout(() => (status.textContent = text), 50);
}

export function section(title, ...children) {
  const id = nextId("s");
  return h("section", { "aria-labelledby": id }, h("h2", { id }, title), children);
}
