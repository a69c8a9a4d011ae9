-- Neovim tests: the plugin in editors/neovim against the real `marginalia lsp`, in a real
-- headless Neovim (0.11).
--
--   TMPDIR=.tools/tmp .venv/bin/nvim --headless --clean -l tests/editors/nvim.lua BIN [MODE] [ENCODING]
--
-- BIN: the marginalia binary. MODE: 'enable' (default: setup() through vim.lsp.config/enable and
-- lsp/marginalia.lua) or 'start' (setup({ start = 'start' }): the vim.lsp.start path of 0.10).
-- ENCODING: 'utf-8' (default: Neovim 0.11 offers utf-8, utf-16, utf-32 and the server picks
-- utf-8) or 'utf-16' (the client offers only utf-16, as Neovim 0.10 and most editors do: the
-- server must then count UTF-16 code units; Neovim converts them back to bytes).
-- Works on a scratch copy of tests/editors/fixtures. Prints one line per test; exit code 1 when
-- any failed.

local script = debug.getinfo(1, 'S').source:sub(2)
local here = vim.fs.dirname(vim.fs.normalize(vim.fn.fnamemodify(script, ':p')))
local root = vim.fs.dirname(vim.fs.dirname(here))
local bin = arg[1] or (root .. '/target/debug/marginalia')
local mode = arg[2] or 'enable'
local encoding = arg[3] or 'utf-8'

vim.opt.rtp:prepend(root .. '/editors/neovim')
vim.opt.swapfile = false
vim.opt.shortmess:append('A')

local ws = vim.fn.tempname() .. '-marginalia-nvim'
vim.fn.mkdir(ws, 'p')
vim.fn.system({ 'cp', '-R', here .. '/fixtures/.', ws })
assert(vim.v.shell_error == 0, 'copying the fixtures failed')
-- :MarginaliaCheck runs `bin` itself: make it findable as 'marginalia' too.
vim.env.PATH = vim.fs.dirname(bin) .. ':' .. vim.env.PATH

local m = require('marginalia')
vim.opt.more = false
local capabilities = nil
if encoding ~= 'utf-8' then
  capabilities = { general = { positionEncodings = { encoding } } }
end
m.setup({ bin = bin, start = mode, capabilities = capabilities })

local failures, passed = 0, 0
local function out(s)
  io.stdout:write(s .. '\n')
end
local function test(name, fn)
  local t = vim.uv.hrtime()
  local ok, err = xpcall(fn, debug.traceback)
  local ms = math.floor((vim.uv.hrtime() - t) / 1e6)
  if ok then
    passed = passed + 1
    out(string.format('ok   %s (%d ms)', name, ms))
  else
    failures = failures + 1
    out(string.format('FAIL %s: %s', name, tostring(err):gsub('\nstack traceback:.*', '')))
  end
end

local function eq(got, want, what)
  if not vim.deep_equal(got, want) then
    error(string.format('%s: got %s, want %s', what or 'value', vim.inspect(got), vim.inspect(want)), 2)
  end
end

local function wait(what, ms, probe)
  local value
  local ok = vim.wait(ms, function()
    value = probe()
    return value ~= nil and value ~= false
  end, 20)
  if not ok then
    error('timed out after ' .. ms .. ' ms waiting for ' .. what, 2)
  end
  return value
end

local function open(name)
  vim.cmd.edit(vim.fn.fnameescape(ws .. '/articles/' .. name))
  local buf = vim.api.nvim_get_current_buf()
  local client = wait('the marginalia client to attach to ' .. name, 10000, function()
    return m.client(buf)
  end)
  return buf, client
end

local function diag(buf, code)
  return wait(code .. ' in ' .. vim.fs.basename(vim.api.nvim_buf_get_name(buf)), 10000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == code then
        return d
      end
    end
  end)
end

local function describe(buf)
  local t = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    t[#t + 1] = string.format('%s@%d:%d-%d:%d', tostring(d.code), d.lnum, d.col, d.end_lnum or -1, d.end_col or -1)
  end
  return table.concat(t, ' ')
end

--- 0-based line and byte column of the first occurrence of `needle` in the buffer.
local function find(buf, needle)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local at = l:find(needle, 1, true)
    if at then
      return i - 1, at - 1
    end
  end
  error('"' .. needle .. '" not in the buffer', 2)
end

local function request(buf, client, method, params)
  local resp = vim.lsp.buf_request_sync(buf, method, params, 5000)
  local r = resp and resp[client.id]
  if not r then
    error(method .. ': no response', 2)
  end
  if r.err then
    error(method .. ': ' .. vim.inspect(r.err), 2)
  end
  return r.result
end

local function hover_text(result)
  if not result or not result.contents then
    return ''
  end
  local c = result.contents
  if type(c) == 'string' then
    return c
  end
  if c.value then
    return c.value
  end
  local parts = {}
  for _, p in ipairs(c) do
    parts[#parts + 1] = type(p) == 'string' and p or p.value
  end
  return table.concat(parts, '\n')
end

local function position_params(buf, client, line, col)
  vim.api.nvim_win_set_buf(0, buf)
  vim.api.nvim_win_set_cursor(0, { line + 1, col })
  return vim.lsp.util.make_position_params(0, client.offset_encoding)
end

-- -------------------------------------------------------------------------------------------
test('lsp/marginalia.lua is found on the runtimepath', function()
  local cfg = vim.lsp.config.marginalia
  eq(cfg.filetypes, { 'markdown', 'text' }, 'filetypes')
  eq(cfg.root_markers, { 'marginalia.toml' }, 'root_markers from lsp/marginalia.lua')
  if mode == 'enable' then
    eq(cfg.cmd[1], bin, 'cmd from setup()')
  end
end)

test('the client attaches to an article and negotiates ' .. encoding, function()
  local buf, client = open('zh-hant.md')
  eq(client.name, 'marginalia', 'client name')
  eq(client.config.cmd[1], bin, 'cmd')
  vim.wait(200)
  eq(#vim.lsp.get_clients({ bufnr = buf, name = 'marginalia' }), 1, 'marginalia clients on the buffer')
  eq(client.root_dir, ws, 'root_dir (the folder of marginalia.toml)')
  eq(client.offset_encoding, encoding, 'position encoding')
  eq((client.server_info or {}).name, 'marginalia', 'serverInfo.name')
end)

test('a file that is not an article gets no client', function()
  local other = vim.fn.tempname() .. '-notes.txt'
  vim.fn.writefile({ 'just some notes, no front-matter' }, other)
  vim.cmd.edit(vim.fn.fnameescape(other))
  vim.wait(300)
  eq(m.client(0), nil, 'client on a plain text file outside any corpus')
end)

test('Chinese fixture: diagnostics sit on the right bytes (' .. encoding .. ' from the server)', function()
  local buf = open('zh-hant.md')
  local d = diag(buf, 'MA0107')
  local line, col = find(buf, 'ZZ')
  eq({ d.lnum, d.col, d.end_lnum, d.end_col }, { line, col, line, col + 2 }, 'MA0107 range (bytes) ' .. describe(buf))
  eq(d.source, 'marginalia', 'source')
  eq(d.severity, vim.diagnostic.severity.ERROR, 'severity')
  -- every diagnostic lies inside the buffer and starts on a character boundary
  for _, x in ipairs(vim.diagnostic.get(buf)) do
    local l = vim.api.nvim_buf_get_lines(buf, x.lnum, x.lnum + 1, false)[1] or ''
    assert(x.col <= #l, 'diagnostic past the end of its line: ' .. describe(buf))
    local byte = l:byte(x.col + 1)
    assert(byte == nil or byte < 0x80 or byte >= 0xC0, 'diagnostic starts inside a UTF-8 sequence: ' .. describe(buf))
  end
end)

test('hover on a Chinese institution name shows the record', function()
  local buf, client = open('zh-hant.md')
  local line, col = find(buf, '法國國家科學研究中心(CNRS)')
  local text = hover_text(request(buf, client, 'textDocument/hover', position_params(buf, client, line, col + 6)))
  assert(text:find('French National Centre for Scientific Research', 1, true), 'hover: ' .. text)
  assert(text:find('02feahw73', 1, true), 'no ROR id in the hover: ' .. text)
end)

test('hover on a front-matter key shows its documentation', function()
  local buf, client = open('zh-hant.md')
  local line = find(buf, 'language:')
  local text = hover_text(request(buf, client, 'textDocument/hover', position_params(buf, client, line, 2)))
  assert(text:find('BCP 47', 1, true), 'hover: ' .. text)
end)

test('inlay hints: the year-less date gets its year', function()
  local buf = open('zh-hant.md')
  assert(vim.lsp.inlay_hint.is_enabled({ bufnr = buf }), 'setup() did not enable inlay hints')
  local line = find(buf, '9月15日')
  local labels = wait('an inlay hint', 10000, function()
    local hints = vim.lsp.inlay_hint.get({ bufnr = buf })
    if #hints == 0 then
      return nil
    end
    local t = {}
    for _, h in ipairs(hints) do
      local l = h.inlay_hint.label
      if type(l) == 'table' then
        local s = {}
        for _, p in ipairs(l) do
          s[#s + 1] = p.value
        end
        l = table.concat(s)
      end
      t[#t + 1] = string.format('%d:%s', h.inlay_hint.position.line, l)
    end
    return t
  end)
  local found = false
  for _, s in ipairs(labels) do
    if s:match('^' .. line .. ':') and s:find('2024-09-15', 1, true) then
      found = true
    end
  end
  assert(found, 'no hint "2024-09-15" on line ' .. line .. ': ' .. vim.inspect(labels))
end)

test('semantic tokens: an institution is highlighted', function()
  local buf = open('zh-hant.md')
  local line, col = find(buf, '中國科學院(CAS)')
  local tokens = wait('a semantic token on 中國科學院', 10000, function()
    local t = vim.lsp.semantic_tokens.get_at_pos(buf, line, col + 3)
    return t and #t > 0 and t or nil
  end)
  local types = vim.tbl_map(function(t)
    return t.type
  end, tokens)
  assert(#types > 0, 'no token types')
  local acr_line, acr_col = find(buf, 'CAS)')
  local acr = vim.lsp.semantic_tokens.get_at_pos(buf, acr_line, acr_col) or {}
  assert(#acr > 0, 'no token on the acronym CAS')
end)

test(':MarginaliaAnnotate inserts the front-matter, keeps the body; the edited buffer is re-checked', function()
  local buf = open('cas-cnrs.md')
  diag(buf, 'MA0101')
  local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  vim.cmd('MarginaliaAnnotate')
  local after = wait('the front-matter', 10000, function()
    local l = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    return l[1] == '---' and l
  end)
  eq(vim.list_slice(after, #after - #before + 1), before, 'body after annotating')
  local fm = table.concat(vim.list_slice(after, 1, #after - #before), '\n')
  assert(fm:find('institutions:', 1, true), 'no institutions in:\n' .. fm)
  assert(fm:find('034t30j35', 1, true), "CAS's ROR id missing from:\n" .. fm)
  assert(fm:find('02feahw73', 1, true), "CNRS's ROR id missing from:\n" .. fm)
  wait('MA0101 to go away after the edit', 10000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == 'MA0101' then
        return false
      end
    end
    return true
  end)
  vim.cmd('silent write')
  -- the file on disk passes `marginalia check` without MA0101
  local done, items
  m.check({ vim.api.nvim_buf_get_name(buf) }, ws, function(err, it)
    assert(not err, err)
    done, items = true, it
  end)
  wait(':MarginaliaCheck', 10000, function()
    return done
  end)
  for _, it in ipairs(items) do
    assert(not it.text:match('^MA0101'), 'MA0101 still reported: ' .. it.text)
  end
end)

test(':MarginaliaCheck fills the quickfix list with byte columns on CJK lines', function()
  local buf = open('zh-hant.md')
  vim.fn.setqflist({}, 'r')
  vim.cmd('MarginaliaCheck')
  local qf = wait('quickfix items', 10000, function()
    local l = vim.fn.getqflist()
    return #l > 0 and l
  end)
  local line, col = find(buf, 'ZZ')
  local hit
  for _, it in ipairs(qf) do
    if it.text:match('^MA0107') then
      hit = it
    end
  end
  assert(hit, 'no MA0107 in ' .. vim.inspect(qf))
  eq({ hit.bufnr, hit.lnum, hit.col, hit.type }, { buf, line + 1, col + 1, 'E' }, 'MA0107 quickfix entry')
  vim.cmd('cfirst')
end)

test(':checkhealth marginalia reports the binary, its version and the config', function()
  vim.cmd.edit(vim.fn.fnameescape(ws .. '/articles/zh-hant.md'))
  vim.cmd('checkhealth marginalia')
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  assert(text:find('OK binary: ' .. bin .. ' (marginalia ', 1, true), 'binary line missing:\n' .. text)
  assert(text:find('OK config: ' .. ws .. '/marginalia.toml', 1, true), 'config line missing:\n' .. text)
  assert(not text:find('ERROR', 1, true), 'errors in :checkhealth:\n' .. text)
end)

out(string.format('nvim (%s, %s, %s): %d passed, %d failed', tostring(vim.version()), mode, encoding, passed, failures))
for _, c in ipairs(vim.lsp.get_clients()) do
  c:stop(true)
end
vim.fn.delete(ws, 'rf')
os.exit(failures == 0 and 0 or 1)
