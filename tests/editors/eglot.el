;;; eglot.el --- marginalia in Emacs 28 + eglot (Debian's elpa-eglot), batch mode  -*- lexical-binding: t -*-
;;
;;   MARGINALIA_BIN=target/debug/marginalia emacs -Q --batch -l tests/editors/eglot.el
;;
;; Uses the configuration documented in editors/README.md (eglot-server-programs + eglot-ensure
;; from text-mode-hook) on a scratch copy of tests/editors/fixtures, opens the Chinese fixture and
;; checks that eglot attaches, that flymake shows the server's MA0107 diagnostic on the exact
;; characters (UTF-16 columns after CJK and an emoji), and that a hover on an institution works.
;; Batch Emacs never goes idle: didChange and flymake are driven by hand.
;; Exit code 0 when every check passed.

(require 'package)
(setq package-directory-list (append '("/usr/share/emacs/site-lisp/elpa") package-directory-list))
(package-initialize)
(require 'eglot)
(require 'flymake)

(defvar marginalia-test-failures 0)
(defun marginalia-test-out (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n") t))

(defmacro marginalia-test (name &rest body)
  (declare (indent 1))
  `(condition-case err
       (progn ,@body (marginalia-test-out "ok   %s" ,name))
     (error (setq marginalia-test-failures (1+ marginalia-test-failures))
            (marginalia-test-out "FAIL %s: %s" ,name (error-message-string err)))))

(defun marginalia-test-wait (what seconds probe)
  "Call PROBE until it returns non-nil, pumping process output; error after SECONDS."
  (let ((deadline (+ (float-time) seconds)) (v nil))
    (while (and (not (setq v (funcall probe))) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    (or v (error "timed out after %ss waiting for %s" seconds what))))

(let* ((here (file-name-directory (or load-file-name buffer-file-name)))
       (root (expand-file-name "../.." here))
       (bin (expand-file-name (or (getenv "MARGINALIA_BIN") "target/debug/marginalia") root))
       (tmp (make-temp-file "marginalia-eglot-" t))
       (ws (expand-file-name "ws" tmp))
       (file (expand-file-name "articles/zh-hant.md" ws)))
  (copy-directory (expand-file-name "fixtures" here) ws)

  ;; --- the configuration documented in editors/README.md ---
  (with-eval-after-load 'eglot
    (add-to-list 'eglot-server-programs `((markdown-mode text-mode) . (,bin "lsp"))))
  (add-hook 'text-mode-hook #'eglot-ensure)
  (add-to-list 'auto-mode-alist '("\\.md\\'" . text-mode)) ; no markdown-mode in emacs -Q
  ;; no VCS here: the folder of marginalia.toml is the project
  (add-hook 'project-find-functions
            (lambda (dir) (let ((r (locate-dominating-file dir "marginalia.toml"))) (and r (cons 'transient r)))))
  (setq eglot-sync-connect 10 eglot-connect-timeout 20)

  (find-file file)
  (run-hooks 'post-command-hook) ; eglot-ensure connects from post-command-hook

  (marginalia-test "eglot attaches to the article"
    (marginalia-test-wait "eglot to manage the buffer" 20 (lambda () (eglot-current-server)))
    (let ((name (plist-get (eglot--server-info (eglot-current-server)) :name)))
      (unless (equal name "marginalia") (error "serverInfo.name is %S" name)))
    (unless (bound-and-true-p flymake-mode) (error "flymake-mode is off in the managed buffer")))

  (marginalia-test "flymake shows MA0107 exactly on ZZ (after CJK and an emoji)"
    (let* ((zz (save-excursion (goto-char (point-min)) (search-forward "country: ZZ") (- (point) 2)))
           (d (marginalia-test-wait
               "the MA0107 diagnostic" 20
               (lambda ()
                 (eglot--signal-textDocument/didChange)
                 (flymake-start)
                 (accept-process-output nil 0.05)
                 (seq-find (lambda (d) (string-match-p "ZZ" (flymake-diagnostic-text d)))
                           (flymake-diagnostics (point-min) (point-max)))))))
      (unless (and (= (flymake-diagnostic-beg d) zz) (= (flymake-diagnostic-end d) (+ zz 2)))
        (error "diagnostic at %d-%d (%S), ZZ is at %d-%d"
               (flymake-diagnostic-beg d) (flymake-diagnostic-end d)
               (buffer-substring-no-properties (flymake-diagnostic-beg d) (flymake-diagnostic-end d))
               zz (+ zz 2)))
      (unless (eq (flymake-diagnostic-type d) 'eglot-error)
        (error "type %S, want eglot-error" (flymake-diagnostic-type d)))
      (marginalia-test-out "     %d:%d %s" (line-number-at-pos zz) (save-excursion (goto-char zz) (current-column))
                           (flymake-diagnostic-text d))))

  (marginalia-test "hover on 中國科學院 names the Chinese Academy of Sciences"
    (goto-char (point-min))
    (search-forward "近日,中國科")
    (let* ((r (jsonrpc-request (eglot-current-server) :textDocument/hover
                               (eglot--TextDocumentPositionParams)))
           (contents (plist-get r :contents))
           (text (cond ((stringp contents) contents)
                       ((plist-get contents :value))
                       (t (format "%S" contents)))))
      (unless (string-match-p "Chinese Academy of Sciences" (or text ""))
        (error "hover: %S" text))))

  (ignore-errors (eglot-shutdown (eglot-current-server)))
  (delete-directory tmp t)
  (marginalia-test-out "eglot (Emacs %s): %s" emacs-version
                       (if (= marginalia-test-failures 0) "all passed" (format "%d failed" marginalia-test-failures)))
  (kill-emacs (if (= marginalia-test-failures 0) 0 1)))
