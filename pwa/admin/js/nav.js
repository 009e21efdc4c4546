// Moving between the dashboard's screens, for the screens: the shell (main.js) draws whatever the address names,
// so a screen only changes the address (#/<path>) and nothing imports the shell. Announcing is /js/dom.js's.
export const navigate = (path) => (location.hash = `#/${path}`);
