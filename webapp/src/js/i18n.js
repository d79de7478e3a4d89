// SPDX-License-Identifier: GPL-3.0-or-later
// English and Dutch. Keys are the English text's short name; a missing Dutch entry falls
// back to English so the page never shows a key.
const en = {
  home: 'Home', inverter: 'Inverter', charts: 'Charts', stats: 'Statistics', journal: 'Journal', console: 'Console',
  inverters: 'Inverters', settings: 'Settings', mqtt: 'MQTT', database: 'Database', backup: 'Backup', photo: 'Photo',
  memo: 'Memo', system: 'System', password: 'Password', login: 'Log in', logout: 'Log out', setup: 'Create the admin account',
  user: 'User name', pass: 'Password', pass_again: 'Password again', pass_mismatch: 'The passwords differ',
  setup_intro: 'Welcome. There is no default password: choose the admin account now. Only the home network can do this.',
  sunrise: 'Sunrise', sunset: 'Sunset', window: 'Poll window', all_day: 'all day (no location set)', no_window: 'no polling today (polar night)',
  night: 'Night: the inverters sleep. Values are today\'s totals; polling resumes at', day_state: 'Polling every cycle; next at',
  coordinator_down: 'The Zigbee coordinator is not running: see Console.',
  power: 'Power', today_energy: 'Today', lifetime: 'Lifetime', site: 'Site total', name: 'Name', serial: 'Serial',
  model: 'Model', inputs: 'Inputs', input: 'Input', dc_v: 'DC voltage', dc_a: 'DC current', temperature: 'Temperature',
  frequency: 'AC frequency', ac_v: 'AC voltage', link: 'Link quality', last_poll: 'Last poll', outcome: 'Outcome',
  sample_time: 'Sample time', updated: 'Updated', uptime: 'Inverter uptime', not_in_use: 'not in use', never: 'never',
  day: 'Day', days: 'Last days', month: 'Month', year: 'Year', date: 'Date', show: 'Show', all_inverters: 'All inverters',
  energy: 'Energy', no_data: 'No data for this period.', peak: 'Peak',
  days_data: 'Days with data', days_prod: 'Days with production', mean: 'Average per day', median: 'Median',
  spread: 'Spread (std. dev.)', best: 'Best day', worst: 'Worst day', total: 'Total', money: 'Earned', co2: 'CO₂ avoided',
  per_day: 'per day', period: 'Period analysis', from: 'From', to: 'To', analyse: 'Analyse', calendar_days: 'Calendar days',
  level: 'Level', source: 'Source', message: 'Message', time: 'Time', frames: 'Wire frames', recent: 'Recent (live)',
  health: 'Health check', start: 'Start coordinator', start_pairing: 'Start for pairing', raw: 'Raw command',
  poll: 'Poll now', pair: 'Pair', reboot_inv: 'Reboot inverter', send: 'Send', output: 'Output', hex: 'Hex (CMD0 CMD1 data)',
  force: 'also at night', add: 'Add inverter', edit: 'Edit', delete: 'Delete', save: 'Save', cancel: 'Cancel',
  domoticz: 'Domoticz idx', paired: 'Paired', not_paired: 'not paired', confirm_delete: 'Delete this inverter from the settings?',
  saved: 'Saved.', location: 'Location', latitude: 'Latitude', longitude: 'Longitude', polling: 'Polling',
  interval: 'Interval (s)', sunrise_offset: 'Start offset to sunrise (min)', sunset_offset: 'Stop offset to sunset (min)',
  night_mode: 'At night', zero_power: 'power 0, keep today\'s energy', keep_last: 'keep last values', radio: 'Radio',
  ecu_id: 'ECU id (12 hex)', port: 'Port', reset_line: 'Reset line', energy_scale: 'Energy scale', price: 'Price per kWh',
  currency: 'Currency', co2_factor: 'CO₂ kg per kWh', timezone: 'Time zone', storage: 'Storage', retention: 'Keep samples (days)',
  enabled: 'Enabled', host: 'Broker host', topic: 'Topic', format: 'Format', retain: 'Retain', test: 'Test',
  mqtt_note: 'Stored now; the daemon sends MQTT once its MQTT connection exists.', password_set: 'password is set',
  query: 'Query', edit_total: 'Edit a day\'s total', energy_wh: 'Energy (Wh)', reason: 'Reason (kept in the audit log)',
  wipe: 'Wipe one inverter\'s history', confirm_serial: 'Type the serial again to confirm', export: 'CSV export',
  kind: 'Kind', audit: 'Audit log', samples: 'samples', edited: 'edited',
  download: 'Download a backup', restore: 'Restore a backup', restore_note: 'Upload a backup made by apsecu. The current data stays until the backup is verified.',
  upload: 'Upload', uploading: 'Uploading…', restored: 'Restored', choose_file: 'Choose a file',
  photo_none: 'No photo yet.', photo_upload: 'Upload a photo (JPEG, PNG or WebP)', remove: 'Remove',
  memo_intro: 'Notes to remember events (cleaning, replacements, shade).',
  version: 'Version', hostname: 'Host', sys_uptime: 'System uptime', apsecu_uptime: 'apsecu uptime', cpus: 'CPUs', load: 'Load',
  memory: 'Memory free', disk: 'Disk free', soc_temp: 'SoC temperature', reboot: 'Reboot', shutdown: 'Shut down',
  power_off_note: 'Reboot and shutdown are switched off for this installation.', confirm_power: 'Really?',
  current_pass: 'Current password', new_pass: 'New password', change: 'Change', changed: 'Password changed; other sessions were logged out.',
  lost: 'Some live updates were skipped (slow connection).', login_needed: 'Log in to see this page.',
  remote: 'Settings can only be used from the home network.', queued: 'queued', done: 'done', failed: 'failed',
};
const nl = {
  home: 'Start', inverter: 'Omvormer', charts: 'Grafieken', stats: 'Statistiek', journal: 'Logboek', console: 'Console',
  inverters: 'Omvormers', settings: 'Instellingen', mqtt: 'MQTT', database: 'Database', backup: 'Back-up', photo: 'Foto',
  memo: 'Notities', system: 'Systeem', password: 'Wachtwoord', login: 'Inloggen', logout: 'Uitloggen', setup: 'Beheerdersaccount aanmaken',
  user: 'Gebruikersnaam', pass: 'Wachtwoord', pass_again: 'Wachtwoord nogmaals', pass_mismatch: 'De wachtwoorden verschillen',
  setup_intro: 'Welkom. Er is geen standaardwachtwoord: kies nu het beheerdersaccount. Dit kan alleen vanaf het thuisnetwerk.',
  sunrise: 'Zonsopkomst', sunset: 'Zonsondergang', window: 'Pollvenster', all_day: 'hele dag (geen locatie ingesteld)', no_window: 'vandaag geen polling (poolnacht)',
  night: 'Nacht: de omvormers slapen. Waarden zijn de totalen van vandaag; polling gaat verder om', day_state: 'Polling loopt; volgende om',
  coordinator_down: 'De Zigbee-coördinator draait niet: zie Console.',
  power: 'Vermogen', today_energy: 'Vandaag', lifetime: 'Totaal ooit', site: 'Totaal installatie', name: 'Naam', serial: 'Serienummer',
  model: 'Model', inputs: 'Ingangen', input: 'Ingang', dc_v: 'DC-spanning', dc_a: 'DC-stroom', temperature: 'Temperatuur',
  frequency: 'AC-frequentie', ac_v: 'AC-spanning', link: 'Verbindingskwaliteit', last_poll: 'Laatste poll', outcome: 'Resultaat',
  sample_time: 'Meettijd', updated: 'Bijgewerkt', uptime: 'Omvormer actief', not_in_use: 'niet in gebruik', never: 'nooit',
  day: 'Dag', days: 'Laatste dagen', month: 'Maand', year: 'Jaar', date: 'Datum', show: 'Toon', all_inverters: 'Alle omvormers',
  energy: 'Energie', no_data: 'Geen gegevens voor deze periode.', peak: 'Piek',
  days_data: 'Dagen met gegevens', days_prod: 'Dagen met productie', mean: 'Gemiddeld per dag', median: 'Mediaan',
  spread: 'Spreiding (std.afw.)', best: 'Beste dag', worst: 'Slechtste dag', total: 'Totaal', money: 'Opbrengst', co2: 'CO₂ bespaard',
  per_day: 'per dag', period: 'Periode-analyse', from: 'Van', to: 'Tot en met', analyse: 'Analyseer', calendar_days: 'Kalenderdagen',
  level: 'Niveau', source: 'Bron', message: 'Bericht', time: 'Tijd', frames: 'Frames op de lijn', recent: 'Recent (live)',
  health: 'Gezondheidscheck', start: 'Coördinator starten', start_pairing: 'Starten om te koppelen', raw: 'Ruwe opdracht',
  poll: 'Nu pollen', pair: 'Koppelen', reboot_inv: 'Omvormer herstarten', send: 'Verstuur', output: 'Uitvoer', hex: 'Hex (CMD0 CMD1 data)',
  force: 'ook \'s nachts', add: 'Omvormer toevoegen', edit: 'Wijzigen', delete: 'Verwijderen', save: 'Opslaan', cancel: 'Annuleren',
  domoticz: 'Domoticz-idx', paired: 'Gekoppeld', not_paired: 'niet gekoppeld', confirm_delete: 'Deze omvormer uit de instellingen verwijderen?',
  saved: 'Opgeslagen.', location: 'Locatie', latitude: 'Breedtegraad', longitude: 'Lengtegraad', polling: 'Polling',
  interval: 'Interval (s)', sunrise_offset: 'Start t.o.v. zonsopkomst (min)', sunset_offset: 'Stop t.o.v. zonsondergang (min)',
  night_mode: '\'s Nachts', zero_power: 'vermogen 0, energie van vandaag houden', keep_last: 'laatste waarden houden', radio: 'Radio',
  ecu_id: 'ECU-id (12 hex)', port: 'Poort', reset_line: 'Resetlijn', energy_scale: 'Energieschaal', price: 'Prijs per kWh',
  currency: 'Valuta', co2_factor: 'CO₂ kg per kWh', timezone: 'Tijdzone', storage: 'Opslag', retention: 'Metingen bewaren (dagen)',
  enabled: 'Aan', host: 'Broker-host', topic: 'Topic', format: 'Formaat', retain: 'Retain', test: 'Test',
  mqtt_note: 'Wordt nu opgeslagen; de daemon verstuurt MQTT zodra de MQTT-verbinding er is.', password_set: 'wachtwoord is ingesteld',
  query: 'Opvragen', edit_total: 'Dagtotaal aanpassen', energy_wh: 'Energie (Wh)', reason: 'Reden (komt in het auditlog)',
  wipe: 'Geschiedenis van één omvormer wissen', confirm_serial: 'Typ het serienummer nogmaals ter bevestiging', export: 'CSV-export',
  kind: 'Soort', audit: 'Auditlog', samples: 'metingen', edited: 'aangepast',
  download: 'Back-up downloaden', restore: 'Back-up terugzetten', restore_note: 'Upload een back-up van apsecu. De huidige gegevens blijven tot de back-up gecontroleerd is.',
  upload: 'Uploaden', uploading: 'Bezig met uploaden…', restored: 'Teruggezet', choose_file: 'Kies een bestand',
  photo_none: 'Nog geen foto.', photo_upload: 'Foto uploaden (JPEG, PNG of WebP)', remove: 'Verwijderen',
  memo_intro: 'Notities om gebeurtenissen te onthouden (schoonmaken, vervangingen, schaduw).',
  version: 'Versie', hostname: 'Host', sys_uptime: 'Systeem actief', apsecu_uptime: 'apsecu actief', cpus: 'CPU\'s', load: 'Belasting',
  memory: 'Vrij geheugen', disk: 'Vrije schijfruimte', soc_temp: 'SoC-temperatuur', reboot: 'Herstarten', shutdown: 'Uitschakelen',
  power_off_note: 'Herstarten en uitschakelen staan uit voor deze installatie.', confirm_power: 'Echt?',
  current_pass: 'Huidig wachtwoord', new_pass: 'Nieuw wachtwoord', change: 'Wijzigen', changed: 'Wachtwoord gewijzigd; andere sessies zijn uitgelogd.',
  lost: 'Enkele live-updates zijn overgeslagen (trage verbinding).', login_needed: 'Log in om deze pagina te zien.',
  remote: 'Instellingen kunnen alleen vanaf het thuisnetwerk gebruikt worden.', queued: 'in de wachtrij', done: 'klaar', failed: 'mislukt',
};
const tables = { en, nl };
let current = localStorage.getItem('apsecu.lang') || (navigator.language || 'en').slice(0, 2);
if (!tables[current]) current = 'en';
document.documentElement.lang = current;

export const lang = () => current;
export function setLang(l) {
  current = tables[l] ? l : 'en';
  localStorage.setItem('apsecu.lang', current);
  document.documentElement.lang = current;
}
export function t(key) { return tables[current][key] ?? en[key] ?? key; }
export const keys = { en: Object.keys(en), nl: Object.keys(nl) };
