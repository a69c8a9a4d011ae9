-- marginalia language server configuration for Neovim 0.11+ (`vim.lsp.config` / `vim.lsp.enable`)
-- and nvim-lspconfig (which reads `lsp/*.lua` files from 'runtimepath').
--
--   vim.lsp.enable('marginalia')
--
-- Override any field with vim.lsp.config('marginalia', { cmd = { '/path/to/marginalia', 'lsp' } }).
-- `settings.marginalia` reaches the server through `workspace/configuration` (section `marginalia`).

---@type vim.lsp.Config
return {
  cmd = { 'marginalia', 'lsp' },
  filetypes = { 'markdown', 'text' },
  root_markers = { 'marginalia.toml' },
  settings = {
    marginalia = {
      -- Severity overrides by finding code, e.g. { MA0101 = 'error', MA0301 = 'off' }.
      severity = vim.empty_dict(),
      -- inlayHints = true,  -- unset: `[editor] inlay_hints` of marginalia.toml (default on)
      -- debounceMs = 50,    -- unset: `[editor] debounce_ms` of marginalia.toml (default 50)
    },
  },
  -- Attach to articles only: files below a marginalia.toml, or with annotations in a front-matter.
  root_dir = function(bufnr, on_dir)
    local ok, m = pcall(require, 'marginalia')
    local root
    if ok then
      root = m.root_for(bufnr)
    else
      root = vim.fs.root(bufnr, { 'marginalia.toml' })
    end
    if root then
      on_dir(root)
    end
  end,
}
