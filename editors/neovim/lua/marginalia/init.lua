-- marginalia for Neovim: language server setup (0.11 `vim.lsp.config`/`vim.lsp.enable`, 0.10
-- `vim.lsp.start`), the commands :MarginaliaAnnotate and :MarginaliaCheck, and helpers.
-- See :help marginalia.

local M = {}

M.ANNOTATE_TITLE = 'Annotate article'

---@class marginalia.Options
M.defaults = {
  -- The marginalia binary (a name on $PATH or a path).
  bin = 'marginalia',
  -- Full server command; default { bin, 'lsp' }.
  cmd = nil,
  filetypes = { 'markdown', 'text' },
  -- Sent to the server as `workspace/configuration` section `marginalia`.
  settings = {
    severity = vim.empty_dict(), -- { MA0101 = 'error', MA0301 = 'off' }
    -- inlayHints = true, debounceMs = 50  (unset: the values of marginalia.toml)
  },
  -- Turn on Neovim's inlay hints in buffers the server attaches to.
  inlay_hints = true,
  -- Create :MarginaliaAnnotate and :MarginaliaCheck.
  commands = true,
  -- How the client starts: 'auto' (vim.lsp.enable on 0.11+, vim.lsp.start on 0.10),
  -- 'enable' or 'start' (a FileType autocommand calling vim.lsp.start, also on 0.11).
  start = 'auto',
  ---@type fun(client: vim.lsp.Client, bufnr: integer)|nil
  on_attach = nil,
  capabilities = nil,
}

M.options = vim.deepcopy(M.defaults)

local ANNOTATION_KEY = { 'schema', 'published', 'institutions', 'countries', 'dates', 'language', 'source' }

--- True when the buffer starts with a YAML front-matter holding an annotation key.
---@param bufnr integer
---@return boolean
function M.has_annotations(bufnr)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, math.min(200, vim.api.nvim_buf_line_count(bufnr)), false)
  if #lines == 0 then
    return false
  end
  local first = lines[1]:gsub('^\239\187\191', ''):gsub('\r$', '')
  if not first:match('^%-%-%-%s*$') then
    return false
  end
  for i = 2, #lines do
    local l = lines[i]:gsub('\r$', '')
    if l:match('^%-%-%-%s*$') or l:match('^%.%.%.%s*$') then
      return false
    end
    for _, key in ipairs(ANNOTATION_KEY) do
      if l:match('^' .. key .. '%s*:') then
        return true
      end
    end
  end
  return false
end

--- The root folder for the buffer's server: the folder holding marginalia.toml above the file,
--- else (for an annotated article) its git root or its own folder. nil: not an article.
---@param bufnr integer
---@return string|nil
function M.root_for(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or name:match('^%a[%w+.-]*://') then
    return nil
  end
  local root = vim.fs.root(name, { 'marginalia.toml' })
  if root then
    return root
  end
  if M.has_annotations(bufnr) then
    return vim.fs.root(name, { '.git' }) or vim.fs.dirname(name)
  end
  return nil
end

local function server_cmd()
  return M.options.cmd or { M.options.bin, 'lsp' }
end

--- The client configuration (shared by the 0.11 and 0.10 paths).
local function client_config()
  local o = M.options
  return {
    name = 'marginalia',
    cmd = server_cmd(),
    filetypes = o.filetypes,
    settings = { marginalia = o.settings },
    capabilities = o.capabilities,
    on_attach = o.on_attach,
  }
end

--- The attached marginalia client of a buffer, if any.
---@param bufnr integer|nil
---@return vim.lsp.Client|nil
function M.client(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  return vim.lsp.get_clients({ bufnr = bufnr, name = 'marginalia' })[1]
end

-- Client methods are called with `:` from 0.11 on and with `.` before.
local NEW_API = vim.fn.has('nvim-0.11') == 1

local function request(client, method, params, handler, bufnr)
  if NEW_API then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function supports(client, method)
  if NEW_API then
    return client:supports_method(method)
  end
  return client.supports_method(method)
end

local function notify(msg, level)
  vim.notify('marginalia: ' .. msg, level or vim.log.levels.INFO)
end

--- Asks the server for the "Annotate article" source action and applies it.
--- `callback(err, applied)` runs afterwards (err is a string).
---@param bufnr integer|nil
---@param callback fun(err: string|nil, applied: boolean)|nil
function M.annotate(bufnr, callback)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  callback = callback or function(err)
    if err then
      notify(err, vim.log.levels.WARN)
    end
  end
  local client = M.client(bufnr)
  if not client then
    return callback('no marginalia server attached to this buffer', false)
  end
  local last = vim.api.nvim_buf_line_count(bufnr)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = last, character = 0 } },
    context = { diagnostics = {}, only = { 'source' }, triggerKind = 1 },
  }
  local function apply(action)
    if action.edit then
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
    end
    if action.command then
      local cmd = type(action.command) == 'table' and action.command or action
      if NEW_API then
        client:exec_cmd(cmd, { bufnr = bufnr })
      else
        vim.lsp.buf.execute_command(cmd)
      end
    end
    callback(nil, true)
  end
  request(client, 'textDocument/codeAction', params, function(err, result)
    if err then
      return callback(err.message or vim.inspect(err), false)
    end
    local chosen
    for _, a in ipairs(result or {}) do
      if a.title == M.ANNOTATE_TITLE then
        chosen = a
        break
      end
    end
    if not chosen then
      return callback('the server offered no "' .. M.ANNOTATE_TITLE .. '" action', false)
    end
    if not chosen.edit and not chosen.command and supports(client, 'codeAction/resolve') then
      request(client, 'codeAction/resolve', chosen, function(rerr, resolved)
        if rerr or not resolved then
          return callback(rerr and rerr.message or 'codeAction/resolve returned nothing', false)
        end
        apply(resolved)
      end, bufnr)
    else
      apply(chosen)
    end
  end, bufnr)
end

local SEVERITY_TYPE = { error = 'E', warning = 'W', info = 'I', hint = 'N' }

--- Quickfix items from `marginalia check --format json` output. Columns are byte columns,
--- computed from the JSON byte offsets (the JSON's `column` counts UTF-16 units).
---@param json string
---@param cwd string folder the command ran in (JSON paths are relative to it)
---@return table[] items
---@return table|nil decoded
function M.quickfix_items(json, cwd)
  local ok, doc = pcall(vim.json.decode, json)
  if not ok or type(doc) ~= 'table' then
    return {}, nil
  end
  local items = {}
  local line_starts = {}
  local function starts(file)
    if line_starts[file] == nil then
      local fd = io.open(file, 'rb')
      local t = { 0 }
      if fd then
        local data = fd:read('*a') or ''
        fd:close()
        local at = 1
        while true do
          local nl = data:find('\n', at, true)
          if not nl then
            break
          end
          t[#t + 1] = nl
          at = nl + 1
        end
      end
      line_starts[file] = t
    end
    return line_starts[file]
  end
  for _, f in ipairs(doc.findings or {}) do
    local file = f.path
    if file:sub(1, 1) ~= '/' then
      file = vim.fs.joinpath(cwd, file)
    end
    local col, end_col = f.column, f.end_column
    local ls = starts(file)
    if type(f.start) == 'number' and f.line and ls[f.line] then
      col = f.start - ls[f.line] + 1
      if type(f['end']) == 'number' and f.end_line and ls[f.end_line] then
        end_col = f['end'] - ls[f.end_line] + 1
      end
    end
    items[#items + 1] = {
      filename = file,
      lnum = f.line,
      col = col,
      end_lnum = f.end_line,
      end_col = end_col,
      type = SEVERITY_TYPE[f.severity] or 'W',
      text = string.format('%s %s', f.code, f.message),
      nr = tonumber((f.code or ''):match('%d+')),
    }
  end
  return items, doc
end

--- Runs `marginalia check --format json` on `paths` (in `cwd`) into the quickfix list.
---@param paths string[]
---@param cwd string
---@param callback fun(err: string|nil, items: table[])|nil
function M.check(paths, cwd, callback)
  local cmd = { M.options.bin, 'check', '--format', 'json' }
  vim.list_extend(cmd, paths)
  local ok, proc = pcall(vim.system, cmd, { cwd = cwd, text = true }, function(res)
    vim.schedule(function()
      if res.code == 2 or (res.code ~= 0 and res.code ~= 1) then
        local msg = 'marginalia check failed (exit ' .. res.code .. '): ' .. vim.trim(res.stderr or '')
        if callback then
          return callback(msg, {})
        end
        return notify(msg, vim.log.levels.ERROR)
      end
      local items = M.quickfix_items(res.stdout or '', cwd)
      vim.fn.setqflist({}, ' ', { title = 'marginalia check ' .. table.concat(paths, ' '), items = items })
      if callback then
        return callback(nil, items)
      end
      if #items == 0 then
        notify('no findings')
      else
        vim.cmd('copen')
      end
    end)
  end)
  if not ok then
    local msg = 'cannot run ' .. M.options.bin .. ': ' .. tostring(proc)
    if callback then
      return callback(msg, {})
    end
    notify(msg, vim.log.levels.ERROR)
  end
end

local function create_commands()
  vim.api.nvim_create_user_command('MarginaliaAnnotate', function()
    M.annotate(0)
  end, { desc = 'marginalia: insert or update the front-matter of this article' })
  vim.api.nvim_create_user_command('MarginaliaCheck', function(a)
    local buf = vim.api.nvim_get_current_buf()
    local name = vim.api.nvim_buf_get_name(buf)
    local root = (name ~= '' and M.root_for(buf)) or vim.fs.root(0, { 'marginalia.toml' }) or vim.fn.getcwd()
    local paths
    if #a.fargs > 0 then
      paths = a.fargs
    elseif a.bang or name == '' then
      paths = { '.' }
    else
      paths = { name }
    end
    M.check(paths, root)
  end, {
    bang = true,
    nargs = '*',
    complete = 'file',
    desc = 'marginalia: check this file (! or paths: the workspace / those paths) into the quickfix list',
  })
end

local function on_attach_defaults(args)
  local client = vim.lsp.get_client_by_id(args.data.client_id)
  if not client or client.name ~= 'marginalia' then
    return
  end
  if M.options.inlay_hints and vim.lsp.inlay_hint and supports(client, 'textDocument/inlayHint') then
    vim.lsp.inlay_hint.enable(true, { bufnr = args.buf })
  end
end

--- Configures and enables the server. Safe to call again with new options.
---@param opts marginalia.Options|nil
function M.setup(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  local group = vim.api.nvim_create_augroup('marginalia', { clear = true })
  vim.api.nvim_create_autocmd('LspAttach', { group = group, callback = on_attach_defaults })
  if M.options.commands then
    create_commands()
  end
  local cfg = client_config()
  local use_enable = vim.lsp.config ~= nil and vim.lsp.enable ~= nil
  if M.options.start == 'start' then
    use_enable = false
  elseif M.options.start == 'enable' and not use_enable then
    notify("start = 'enable' needs Neovim 0.11; using vim.lsp.start", vim.log.levels.WARN)
  end
  if use_enable then
    -- Neovim 0.11+: lsp/marginalia.lua supplies the defaults (root_dir); override what was given.
    vim.lsp.config('marginalia', {
      cmd = cfg.cmd,
      filetypes = cfg.filetypes,
      settings = cfg.settings,
      capabilities = cfg.capabilities,
      on_attach = cfg.on_attach,
      root_dir = function(bufnr, on_dir)
        local root = M.root_for(bufnr)
        if root then
          on_dir(root)
        end
      end,
    })
    vim.lsp.enable('marginalia')
  else
    if vim.lsp.enable and vim.lsp.config then
      vim.lsp.enable('marginalia', false)
    end
    -- Neovim 0.10 (or start = 'start'): start or reuse a client per root for each article buffer.
    local function start(bufnr)
      local root = M.root_for(bufnr)
      if not root then
        return
      end
      vim.lsp.start(vim.tbl_extend('force', cfg, { root_dir = root }), { bufnr = bufnr })
    end
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = cfg.filetypes,
      callback = function(a)
        start(a.buf)
      end,
    })
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(cfg.filetypes, vim.bo[b].filetype) then
        start(b)
      end
    end
  end
end

return M
