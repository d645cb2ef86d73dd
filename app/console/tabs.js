/**
 * The four panels as WAI-ARIA tabs: one visible at a time, the arrow keys, Home and End move between tabs
 * (the tab list is one stop of the Tab key), and the page's address remembers the tab (#verify) across reloads.
 */

export function mountTabs(list, onShow) {
  const tabs = [...list.querySelectorAll("[role=tab]")];
  const name = (tab) => tab.id.replace(/^tab-/, "");

  function select(tab, { focus = false } = {}) {
    for (const other of tabs) {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !chosen;
    }
    if (focus) tab.focus();
    history.replaceState(null, "", `#${name(tab)}`);
    onShow(name(tab));
  }

  for (const tab of tabs) tab.addEventListener("click", () => select(tab));
  list.addEventListener("keydown", (event) => {
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(tabs[(next + tabs.length) % tabs.length], { focus: true });
  });

  return {
    /** Shows the tab named in the address, else the first. */
    start() {
      const wanted = tabs.find((tab) => name(tab) === location.hash.slice(1)) ?? tabs[0];
      select(wanted);
    },
  };
}
