/**
 * The admin page: one HTML document and one script, served by the admin listener at `/` and
 * `/admin.js`. Plain DOM code, no build step, no framework. The token is typed in, kept in
 * sessionStorage (gone when the tab closes) and sent as a bearer header; no cookies. Record
 * text is only ever put into the page as text nodes (never as HTML), so zone data cannot
 * inject markup.
 */

/** The page's HTML (the script is loaded from `/admin.js`, as the page's CSP allows no inline script). */
export const ADMIN_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dns-ha records</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
  header { background: #1d3557; color: #fff; padding: 10px 16px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 16px; margin: 0; flex: 1; }
  header input { width: 260px; }
  main { display: grid; grid-template-columns: 220px 1fr; gap: 16px; padding: 16px; }
  nav ul { list-style: none; padding: 0; margin: 0; }
  nav button { width: 100%; text-align: left; padding: 6px 8px; margin-bottom: 4px; border: 1px solid #ccd; background: #fff; cursor: pointer; border-radius: 4px; }
  nav button.current { background: #e3ecf7; border-color: #1d3557; }
  section { background: #fff; border: 1px solid #dde; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef; font-family: ui-monospace, monospace; font-size: 13px; vertical-align: top; }
  th { font-family: system-ui, sans-serif; font-weight: 600; }
  td.data { word-break: break-all; }
  td.actions { white-space: nowrap; width: 1%; }
  form { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; }
  label { display: flex; flex-direction: column; font-size: 12px; color: #555; }
  input, select { font: 13px ui-monospace, monospace; padding: 4px 6px; }
  #message { min-height: 20px; margin: 0 16px; padding: 6px 10px; border-radius: 4px; }
  #message.error { background: #fde8e8; color: #8a1c1c; border: 1px solid #f5b5b5; }
  #message.ok { background: #e6f6ea; color: #1c5e2c; border: 1px solid #b4e0bf; }
  .muted { color: #777; }
</style>
</head>
<body>
<header>
  <h1>dns-ha records</h1>
  <label style="color:#fff">API token <input id="token" type="password" autocomplete="off" placeholder="bearer token"></label>
  <button id="save-token" type="button">Use token</button>
</header>
<div id="message" role="alert"></div>
<main>
  <nav><h2>Zones</h2><ul id="zones"></ul></nav>
  <div>
    <section id="zone-section" hidden>
      <h2 id="zone-title"></h2>
      <div>Serial <strong id="serial"></strong> · <span id="counts"></span></div>
      <h2 style="margin-top:12px">Secondaries</h2>
      <table id="replication"><thead><tr><th>Secondary</th><th>Notified</th><th>Acknowledged</th><th>Transferred</th><th>Last failure</th></tr></thead><tbody></tbody></table>
    </section>
    <section id="form-section" hidden>
      <h2 id="form-title">Add a record</h2>
      <form id="record-form">
        <label>Name <input id="f-name" required placeholder="www"></label>
        <label>TTL <input id="f-ttl" type="number" min="0" style="width:90px" placeholder="3600"></label>
        <label>Type <input id="f-type" required list="types" style="width:90px" placeholder="A"></label>
        <label style="flex:1">Data <input id="f-data" required placeholder="192.0.2.10"></label>
        <button id="f-submit" type="submit">Add</button>
        <button id="f-cancel" type="button" hidden>Cancel</button>
      </form>
      <datalist id="types"><option>A</option><option>AAAA</option><option>CNAME</option><option>MX</option><option>TXT</option><option>NS</option><option>SRV</option><option>CAA</option><option>PTR</option></datalist>
    </section>
    <section id="records-section" hidden>
      <h2>Records</h2>
      <form id="search-form"><label style="flex:1">Search <input id="search" type="search" placeholder="name or data"></label><button type="submit">Search</button></form>
      <table id="records"><thead><tr><th>Name</th><th>TTL</th><th>Type</th><th>Data</th><th></th></tr></thead><tbody></tbody></table>
      <div><span id="total" class="muted"></span> <button id="more" type="button" hidden>More</button></div>
    </section>
  </div>
</main>
<script src="/admin.js"></script>
</body>
</html>
`

/** The page's script. */
export const ADMIN_PAGE_SCRIPT = `'use strict'
const $ = (id) => document.getElementById(id)
const state = { zone: undefined, serial: undefined, editing: undefined, cursor: undefined }

function token() { return sessionStorage.getItem('dns-ha-token') || '' }

function show(text, ok) {
  const m = $('message')
  m.textContent = text
  m.className = text ? (ok ? 'ok' : 'error') : ''
}

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + token() }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit' })
  const json = await res.json().catch(() => ({}))
  if (!res.ok) {
    const e = new Error(json.error ? json.error.message : res.status + ' ' + res.statusText)
    e.status = res.status
    e.code = json.error && json.error.code
    throw e
  }
  return json
}

function cell(tr, text, cls) {
  const td = document.createElement('td')
  td.textContent = text === undefined ? '' : String(text)
  if (cls) td.className = cls
  tr.appendChild(td)
  return td
}

function button(parent, text, onclick) {
  const b = document.createElement('button')
  b.type = 'button'
  b.textContent = text
  b.addEventListener('click', onclick)
  parent.appendChild(b)
  return b
}

const zonePath = (z) => '/api/zones/' + encodeURIComponent(z)

async function loadZones() {
  const { zones } = await api('GET', '/api/zones')
  const ul = $('zones')
  ul.replaceChildren()
  for (const z of zones) {
    const li = document.createElement('li')
    const b = button(li, z.origin + ' (' + z.records + ')', () => openZone(z.origin))
    b.dataset.origin = z.origin
    if (z.origin === state.zone) b.className = 'current'
    ul.appendChild(li)
  }
  if (state.zone === undefined && zones.length > 0) await openZone(zones[0].origin)
}

async function openZone(origin) {
  state.zone = origin
  for (const b of document.querySelectorAll('#zones button')) b.className = b.dataset.origin === origin ? 'current' : ''
  $('zone-section').hidden = false
  $('form-section').hidden = false
  $('records-section').hidden = false
  await refresh()
}

async function refresh() {
  const z = await api('GET', zonePath(state.zone))
  state.serial = z.serial
  $('zone-title').textContent = z.origin
  $('serial').textContent = String(z.serial)
  $('counts').textContent = z.records + ' records, ' + z.rrsets + ' RRsets, ' + z.names + ' names'
  const body = $('replication').tBodies[0]
  body.replaceChildren()
  if (z.replication.length === 0) {
    const tr = body.insertRow()
    cell(tr, 'none known (NOTIFY targets and transfers appear here)', 'muted').colSpan = 5
  }
  for (const s of z.replication) {
    const tr = body.insertRow()
    cell(tr, s.address + (s.port ? '#' + s.port : ''))
    cell(tr, s.notifiedSerial)
    cell(tr, s.ackedSerial === undefined ? '' : s.ackedSerial + ' (' + s.ackMs + ' ms)')
    cell(tr, s.transferredSerial === undefined ? '' : s.transferredSerial + ' ' + s.transferKind)
    cell(tr, s.lastFailure)
  }
  await loadRecords(false)
}

async function loadRecords(more) {
  const q = new URLSearchParams({ limit: '100' })
  const search = $('search').value.trim()
  if (search) q.set('search', search)
  if (more && state.cursor) q.set('cursor', state.cursor)
  const page = await api('GET', zonePath(state.zone) + '/records?' + q)
  const body = $('records').tBodies[0]
  if (!more) body.replaceChildren()
  for (const r of page.records) {
    const tr = body.insertRow()
    tr.dataset.name = r.name
    tr.dataset.type = r.type
    cell(tr, r.name)
    cell(tr, r.ttl)
    cell(tr, r.type)
    cell(tr, r.data, 'data')
    const actions = cell(tr, '', 'actions')
    if (r.type !== 'SOA') {
      button(actions, 'Edit', () => startEdit(r))
      button(actions, 'Delete', () => remove(r))
    }
  }
  state.cursor = page.next
  $('more').hidden = !page.next
  $('total').textContent = page.total + ' matching'
}

function startEdit(r) {
  state.editing = r
  $('f-name').value = r.name
  $('f-ttl').value = String(r.ttl)
  $('f-type').value = r.type
  $('f-data').value = r.data
  $('form-title').textContent = 'Edit ' + r.name + ' ' + r.type
  $('f-submit').textContent = 'Save'
  $('f-cancel').hidden = false
}

function endEdit() {
  state.editing = undefined
  $('record-form').reset()
  $('form-title').textContent = 'Add a record'
  $('f-submit').textContent = 'Add'
  $('f-cancel').hidden = true
}

function formRecord() {
  const r = { name: $('f-name').value.trim(), type: $('f-type').value.trim(), data: $('f-data').value.trim() }
  const ttl = $('f-ttl').value.trim()
  if (ttl !== '') r.ttl = Number(ttl)
  return r
}

async function submitForm(ev) {
  ev.preventDefault()
  const record = formRecord()
  try {
    const result = state.editing
      ? await api('PUT', zonePath(state.zone) + '/records', { old: state.editing, new: record, ifSerial: state.serial })
      : await api('POST', zonePath(state.zone) + '/records', { record, ifSerial: state.serial })
    show((state.editing ? 'Changed' : 'Added') + ' ' + record.name + ' ' + record.type + ': serial ' + result.serial, true)
    endEdit()
    await refresh()
    await loadZones()
  } catch (e) {
    show(e.message, false)
    if (e.status === 409) await refresh()
  }
}

async function remove(r) {
  try {
    const result = await api('DELETE', zonePath(state.zone) + '/records', { record: r, ifSerial: state.serial })
    show('Deleted ' + r.name + ' ' + r.type + ' ' + r.data + ': serial ' + result.serial, true)
    await refresh()
    await loadZones()
  } catch (e) {
    show(e.message, false)
    if (e.status === 409 || e.status === 404) await refresh()
  }
}

async function start() {
  if (!token()) { show('Enter an API token to begin.', false); return }
  try {
    await loadZones()
    show('', true)
  } catch (e) {
    show(e.message, false)
  }
}

$('save-token').addEventListener('click', () => {
  sessionStorage.setItem('dns-ha-token', $('token').value.trim())
  $('token').value = ''
  state.zone = undefined
  start()
})
$('record-form').addEventListener('submit', submitForm)
$('f-cancel').addEventListener('click', endEdit)
$('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadRecords(false).catch((e) => show(e.message, false)) })
$('more').addEventListener('click', () => loadRecords(true).catch((e) => show(e.message, false)))
start()
`
