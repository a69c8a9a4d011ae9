-- :checkhealth marginalia: Neovim version, the server binary and its version, the
-- marginalia.toml of the current file, the state of the language server.

local M = {}

function M.check()
  local health = vim.health
  local m = require('marginalia')
  health.start('marginalia')

  local v = vim.version()
  local vs = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok('Neovim ' .. vs .. ' (vim.lsp.config / vim.lsp.enable)')
  elseif vim.fn.has('nvim-0.10') == 1 then
    health.ok('Neovim ' .. vs .. ' (vim.lsp.start; lsp/marginalia.lua needs 0.11)')
  else
    health.error('Neovim ' .. vs .. ' is too old', { 'marginalia needs Neovim 0.10 or later' })
  end

  local bin = m.options.cmd and m.options.cmd[1] or m.options.bin
  local path = vim.fn.exepath(bin)
  if path == '' then
    health.error('marginalia binary not found: ' .. bin, {
      'Install it: cargo install --path server/cli (in the marginalia repository)',
      "or point the plugin at it: require('marginalia').setup({ bin = '/path/to/marginalia' })",
    })
  else
    local res = vim.system({ path, '--version' }, { text = true }):wait(5000)
    local version = vim.trim(res.stdout or '')
    if res.code == 0 and version:match('^marginalia ') then
      health.ok('binary: ' .. path .. ' (' .. version .. ')')
    else
      health.error('binary ' .. path .. ' does not run: exit ' .. tostring(res.code) .. ' ' .. vim.trim(res.stderr or ''))
    end
  end

  -- marginalia.toml above the working directory or any loaded file (:checkhealth runs in its own
  -- buffer, so the current buffer is not the article).
  local roots, seen = {}, {}
  local function look(from)
    local root = vim.fs.root(from, { 'marginalia.toml' })
    if root and not seen[root] then
      seen[root] = true
      roots[#roots + 1] = root
    end
  end
  look(vim.fn.getcwd())
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(b)
    if vim.api.nvim_buf_is_loaded(b) and name ~= '' and not name:match('^%a[%w+.-]*://') then
      look(name)
    end
  end
  if #roots == 0 then
    health.info('no marginalia.toml above ' .. vim.fn.getcwd() .. ' or the open files: only files with an annotation front-matter are checked')
  end
  for _, root in ipairs(roots) do
    local cfg = vim.fs.joinpath(root, 'marginalia.toml')
    if vim.fn.filereadable(cfg) == 1 then
      health.ok('config: ' .. cfg)
    else
      health.warn('config: ' .. cfg .. ' is not readable')
    end
  end

  local clients = vim.lsp.get_clients({ name = 'marginalia' })
  if #clients == 0 then
    health.info('no marginalia language server running (open an article)')
  else
    for _, c in ipairs(clients) do
      local info = c.server_info and (c.server_info.name .. ' ' .. (c.server_info.version or '')) or 'marginalia'
      health.ok(string.format('server running: %s, root %s, position encoding %s', info, c.root_dir or '?', c.offset_encoding))
    end
  end
end

return M
