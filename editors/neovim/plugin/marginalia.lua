-- Loaded at startup when this folder is on 'runtimepath'. Nothing starts by itself: call
-- require('marginalia').setup() (or vim.lsp.enable('marginalia') on 0.11).
if vim.g.loaded_marginalia then
  return
end
vim.g.loaded_marginalia = true
