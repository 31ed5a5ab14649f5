// How the bureau shows its figures (GET /api/v1/display): its time zone, and whether a rate is
// truncated to two decimals as its reports print it (99.78%) or rounded half up (99.79%).

const settings = { timezone: "Asia/Shanghai", rateDisplay: "truncate" };

export function setDisplay(answer) {
  if (answer?.timezone) settings.timezone = answer.timezone;
  if (answer?.rate_display) settings.rateDisplay = answer.rate_display;
}

export function bureauZone() {
  return settings.timezone;
}

export function rateDisplay() {
  return settings.rateDisplay;
}
