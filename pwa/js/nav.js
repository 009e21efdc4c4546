// Moving between the reporter's screens, for the screens and the outbox: the shell (app.js) names the screens once
// (`useScreens`) and nothing imports the shell.
import { t } from "./i18n.js";

let screens = {};
let shown = { name: "home", params: {} };

// `table`: screen name → () => import() of its module, which exports `render(params)`.
export const useScreens = (table) => (screens = table);

// Screens change without adding history entries: Back never walks through what someone wrote (and quick exit
// then leaves nothing to go back to). A new screen or step puts the focus on its heading; a re-render of the same
// step keeps it where it was (controls have stable ids), or on the error that the re-render announces.
export async function go(name, params = {}, keepFocus = false) {
  const mod = await screens[name]();
  const focused = keepFocus ? document.activeElement?.id : null;
  shown = { name, params };
  const view = document.getElementById("view");
  view.replaceChildren(...[mod.render(params)].flat());
  document.title = `${t(`title.${name}`)} · WithU`;
  // A screen may name what a person must see first (`data-focus`, e.g. a new reply): focused and scrolled to.
  const named = view.querySelector("[data-focus]");
  const target = (focused && document.getElementById(focused))
    || view.querySelector("[role=alert]") || named || view.querySelector("h1");
  if (target) {
    if (!target.id) target.tabIndex = -1;
    target.focus();
  }
  if (target && target === named) target.scrollIntoView({ block: "center" });
  else if (!keepFocus) window.scrollTo(0, 0);
}

export const rerender = (keepFocus = true) => go(shown.name, shown.params, keepFocus);
