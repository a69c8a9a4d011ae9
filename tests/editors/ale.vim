" marginalia in Vim 9 + ALE (Debian's vim-ale), batch mode:
"
"   MARGINALIA_BIN=target/debug/marginalia vim -N -u NONE -i NONE -n -es -S tests/editors/ale.vim
"
" Uses the linter definition documented in editors/README.md on a scratch copy of
" tests/editors/fixtures, opens the Chinese fixture and checks that ALE starts the server and
" puts the findings in the location list: exact columns on an English article, the right line on
" a Chinese one (ALE does not convert UTF-16 columns).
" Output: one line per check; exit code 0 when every check passed.

let s:here = expand('<sfile>:p:h')
let s:root = fnamemodify(s:here, ':h:h')
let s:bin = empty($MARGINALIA_BIN) ? s:root . '/target/debug/marginalia' : fnamemodify($MARGINALIA_BIN, ':p')
let s:failures = 0
let s:out = []

function! s:Say(line) abort
  " -es: print on stdout (one line per call)
  call writefile([a:line], '/dev/stdout', 'a')
endfunction

function! s:Fail(name, msg) abort
  let s:failures += 1
  call s:Say('FAIL ' . a:name . ': ' . a:msg)
endfunction

function! s:Wait(ms, expr) abort
  let l:end = reltimefloat(reltime()) + a:ms / 1000.0
  while reltimefloat(reltime()) < l:end
    if eval(a:expr)
      return 1
    endif
    sleep 50m
  endwhile
  return eval(a:expr)
endfunction

let s:ws = tempname() . '-marginalia-ale'
call mkdir(s:ws, 'p')
call system('cp -R ' . shellescape(s:here . '/fixtures/.') . ' ' . shellescape(s:ws))

set nocompatible encoding=utf-8
let &runtimepath = '/usr/share/vim-ale,' . &runtimepath . ',/usr/share/vim-ale/after'
filetype plugin on
syntax off

" --- the configuration documented in editors/README.md ---
let g:ale_linters = {'markdown': ['marginalia'], 'text': ['marginalia']}
let g:ale_lint_on_text_changed = 'never'
let g:ale_lint_on_insert_leave = 0
let g:ale_echo_cursor = 0
let g:ale_set_highlights = 0
let g:ale_set_signs = 0
let g:ale_virtualtext_cursor = 'disabled'
let g:ale_marginalia_executable = s:bin
runtime plugin/ale.vim
for s:ft in ['markdown', 'text']
  call ale#linter#Define(s:ft, {
  \   'name': 'marginalia',
  \   'lsp': 'stdio',
  \   'executable': {b -> ale#Var(b, 'marginalia_executable')},
  \   'command': '%e lsp',
  \   'project_root': {b -> fnamemodify(ale#path#FindNearestFile(b, 'marginalia.toml'), ':h')},
  \})
endfor
" ---------------------------------------------------------

" Waits for `code` in the current buffer's ALE location list; checks its line (and its byte
" column when check_col) against the first occurrence of `needle`.
function! s:Expect(name, code, needle, check_col) abort
  let l:buf = bufnr('')
  let s:code = a:code
  let l:probe = 'len(filter(copy(ale#engine#GetLoclist(' . l:buf . ')), {_, v -> get(v, "code", "") ==# s:code})) > 0'
  if !s:Wait(20000, l:probe)
    call s:Fail(a:name, 'no ' . a:code . ' in the location list: ' . string(ale#engine#GetLoclist(l:buf)))
    return
  endif
  let l:item = filter(copy(ale#engine#GetLoclist(l:buf)), {_, v -> get(v, 'code', '') ==# a:code})[0]
  let l:lnum = search('\V' . escape(a:needle, '\'), 'nw')
  let l:col = stridx(getline(l:lnum), a:needle) + 1
  if l:item.lnum != l:lnum || (a:check_col && l:item.col != l:col) || l:item.linter_name !=# 'marginalia'
    call s:Fail(a:name, printf('got line %d col %d, want line %d col %d (%s)', l:item.lnum, l:item.col, l:lnum, l:col, string(l:item)))
    return
  endif
  call s:Say('ok   ' . a:name)
  call s:Say(printf('     %d:%d %s %s', l:item.lnum, l:item.col, l:item.code, l:item.text))
endfunction

execute 'edit ' . fnameescape(s:ws . '/articles/annotated.md')
if &filetype !=# 'markdown'
  call s:Fail('filetype', 'got ' . &filetype)
endif
ALELint
call s:Expect('ALE starts marginalia lsp: MA0104 on the misspelt key', 'MA0104', 'publshed', 1)
call s:Expect('MA0107 on the bad country code XX (exact column)', 'MA0107', 'XX]', 1)

" ALE uses the server's UTF-16 `character` as Vim's byte column without converting, so on lines
" with CJK text the column is off (a limitation of ALE, documented in editors/README.md); the
" line is right.
execute 'edit ' . fnameescape(s:ws . '/articles/zh-hant.md')
ALELint
call s:Expect('Chinese article: MA0107 on the right line', 'MA0107', 'country: ZZ', 0)

call s:Say(printf('ale (Vim %d.%d, ALE): %s', v:version / 100, v:version % 100,
\ s:failures == 0 ? 'all passed' : s:failures . ' failed'))
call ale#lsp#StopAll()
call delete(s:ws, 'rf')
if s:failures == 0
  qall!
else
  cquit!
endif
