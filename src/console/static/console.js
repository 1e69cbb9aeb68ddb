// Progressive enhancement of the console; every page works without it.
// 1. Dates in the viewer's time zone: tell the server the browser's zone (used from the next page on)
//    and show the dates of this page in it now.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const current = document.cookie.split('; ').find((c) => c.startsWith('cps_tz='));
if (zone && (!current || decodeURIComponent(current.slice(7)) !== zone)) {
  document.cookie = `cps_tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; SameSite=Lax${location.protocol === 'https:' ? '; Secure' : ''}`;
  const format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'medium', timeStyle: 'short' });
  for (const time of document.querySelectorAll('time[datetime]')) {
    const at = new Date(time.getAttribute('datetime'));
    if (!Number.isNaN(at.getTime())) time.textContent = format.format(at);
  }
  const footer = document.querySelector('[data-time-zone]');
  if (footer) footer.textContent = footer.dataset.timeZoneTemplate?.replace('{zone}', zone) ?? footer.textContent;
}

// 2. Copy buttons next to record names and values.
for (const button of document.querySelectorAll('button[data-copy]')) {
  if (!navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText(button.dataset.copy ?? '');
    const label = button.querySelector('.copy-label');
    if (!label) return;
    const before = label.textContent;
    label.textContent = button.dataset.copied ?? before;
    setTimeout(() => (label.textContent = before), 2000);
  });
}

// 3. Add Domain, step 2: show only the methods of the chosen automatic-validation setting.
const auto = document.querySelectorAll('input[name="autoValidation"]');
if (auto.length) {
  const show = () => {
    const on = document.querySelector('input[name="autoValidation"]:checked')?.value !== 'false';
    for (const group of document.querySelectorAll('[data-auto]')) {
      const visible = String(on) === group.dataset.auto;
      group.hidden = !visible;
      for (const input of group.querySelectorAll('input, select')) input.disabled = !visible;
      // The shown group offers a choice already made: its first method unless one of its own is checked.
      const methods = [...group.querySelectorAll('input[name="method"]')];
      if (visible && methods.length && !methods.some((m) => m.checked)) methods[0].checked = true;
    }
  };
  for (const input of auto) input.addEventListener('change', show);
  show();
}
