//! The process's allocator: mimalloc for the batch commands (`check`, `entities`, `report`, …),
//! glibc's malloc for `marginalia lsp`.
//!
//! mimalloc makes `check` about 10 % faster (the analysis makes about a thousand small
//! allocations per article), but it keeps freed pages in its own per-thread segments: a
//! language server session with a 2 MB article open peaked at 169 MB with it (57 MB even with
//! its purge options), against 42 MB with glibc tuned by `marginalia_lsp::run_stdio`. One
//! binary serves both, so the choice is made per process, from its arguments, before `main`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

const UNDECIDED: u8 = 0;
const SYSTEM: u8 = 1;
const MIMALLOC: u8 = 2;

/// Leaves `UNDECIDED` once, for good: see [`Dispatch`].
static CHOICE: AtomicU8 = AtomicU8::new(UNDECIDED);

/// Whether a process started with these arguments (after the program name) uses mimalloc:
/// every command but the language server.
pub fn mimalloc_for(first_arg: Option<&[u8]>) -> bool {
    first_arg != Some(b"lsp")
}

/// The allocator this process uses.
#[cfg(test)]
pub fn name() -> &'static str {
    if Dispatch::mimalloc() {
        "mimalloc"
    } else {
        "glibc"
    }
}

/// mimalloc or the system allocator, chosen once per process.
///
/// SAFETY (why every block is freed and resized by the allocator that made it): `CHOICE` goes
/// from `UNDECIDED` to `SYSTEM` or `MIMALLOC` exactly once (both writers use
/// `compare_exchange` from `UNDECIDED`) and never changes again. An allocation that finds it
/// undecided fixes it to `SYSTEM` before allocating, so a block can only be made after the
/// choice, and every later call on it (free, realloc) sees the same choice: a single atomic
/// location is read coherently by all threads, so `Relaxed` suffices. The decision normally
/// comes from [`choose`], an `.init_array` constructor that glibc runs before `main` with
/// `argc`/`argv`; if anything allocated through Rust before it, the process simply keeps glibc.
pub struct Dispatch;

impl Dispatch {
    #[inline]
    fn mimalloc() -> bool {
        match CHOICE.load(Relaxed) {
            MIMALLOC => true,
            SYSTEM => false,
            _ => match CHOICE.compare_exchange(UNDECIDED, SYSTEM, Relaxed, Relaxed) {
                Ok(_) => false,
                Err(now) => now == MIMALLOC,
            },
        }
    }
}

/// Every mimalloc block is aligned to a machine word (its size classes are whole words), so
/// layouts aligned to no more go to `mi_malloc`: the `mimalloc` crate sends every layout to
/// `mi_malloc_aligned`, whose alignment checks cost about 30 instructions per allocation
/// (2 % of `check`). mimalloc's own `mi_realloc_aligned` takes the same shortcut for
/// reallocations (and frees need no layout), so those keep going through the crate.
const MI_WORD: usize = std::mem::size_of::<usize>();

// SAFETY: each method forwards to one of two sound allocators, always the same one for the
// life of the process (see `Dispatch`), with the caller's own arguments.
unsafe impl GlobalAlloc for Dispatch {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if Dispatch::mimalloc() {
            if layout.align() <= MI_WORD {
                // SAFETY: any size is valid for mi_malloc; its blocks are word-aligned.
                unsafe { libmimalloc_sys::mi_malloc(layout.size()).cast() }
            } else {
                mimalloc::MiMalloc.alloc(layout)
            }
        } else {
            System.alloc(layout)
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if Dispatch::mimalloc() {
            if layout.align() <= MI_WORD {
                // SAFETY: as in `alloc`.
                unsafe { libmimalloc_sys::mi_zalloc(layout.size()).cast() }
            } else {
                mimalloc::MiMalloc.alloc_zeroed(layout)
            }
        } else {
            System.alloc_zeroed(layout)
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if Dispatch::mimalloc() {
            mimalloc::MiMalloc.dealloc(ptr, layout)
        } else {
            System.dealloc(ptr, layout)
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if Dispatch::mimalloc() {
            mimalloc::MiMalloc.realloc(ptr, layout, new_size)
        } else {
            System.realloc(ptr, layout, new_size)
        }
    }
}

/// Decides the allocator from `argv[1]`. glibc calls `.init_array` functions with `argc`,
/// `argv` and `envp` (as Rust's standard library relies on for `std::env::args`); other C
/// libraries may not pass them, so elsewhere the process keeps the system allocator.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" fn choose(
    argc: std::os::raw::c_int,
    argv: *const *const std::os::raw::c_char,
    _envp: *const *const std::os::raw::c_char,
) {
    let first = if argc >= 2 && !argv.is_null() {
        // SAFETY: glibc passes the process's `argv`, `argc` valid NUL-terminated strings
        // followed by a null pointer; we read `argv[1]` only when `argc >= 2`.
        let p = unsafe { *argv.add(1) };
        (!p.is_null()).then(|| unsafe { std::ffi::CStr::from_ptr(p) }.to_bytes())
    } else {
        None
    };
    let choice = if mimalloc_for(first) {
        MIMALLOC
    } else {
        SYSTEM
    };
    let _ = CHOICE.compare_exchange(UNDECIDED, choice, Relaxed, Relaxed);
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[used]
#[link_section = ".init_array"]
static CHOOSE: extern "C" fn(
    std::os::raw::c_int,
    *const *const std::os::raw::c_char,
    *const *const std::os::raw::c_char,
) = choose;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_language_server_keeps_glibc() {
        assert!(!mimalloc_for(Some(b"lsp")));
        for other in ["check", "entities", "report", "lsp-x", "--help"] {
            assert!(mimalloc_for(Some(other.as_bytes())), "{other}");
        }
        assert!(mimalloc_for(None));
    }

    /// Blocks of every size class and alignment, fresh, zeroed and grown, are aligned as asked
    /// and keep their bytes (the word-aligned ones come from `mi_malloc`, the others from
    /// `mi_malloc_aligned`).
    #[test]
    fn blocks_are_aligned_as_asked_and_keep_their_bytes() {
        let a = Dispatch;
        let mut live = Vec::new();
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..=300).chain([1000, 1024, 4097, 70_000, 1 << 20]) {
                let layout = Layout::from_size_align(size, align).unwrap();
                let fill = (size % 251) as u8;
                // SAFETY: non-zero sizes; each block is freed once, with its layout.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null() && p as usize % align == 0, "{size} {align}");
                    p.write_bytes(fill, size);
                    let z = a.alloc_zeroed(layout);
                    assert!(
                        !z.is_null() && z as usize % align == 0,
                        "zeroed {size} {align}"
                    );
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                    let grown = a.realloc(p, layout, size * 3);
                    assert!(
                        !grown.is_null() && grown as usize % align == 0,
                        "grown {size} {align}"
                    );
                    assert!(std::slice::from_raw_parts(grown, size)
                        .iter()
                        .all(|&b| b == fill));
                    a.dealloc(z, layout);
                    // Some stay allocated, so that later blocks come from partly used pages.
                    let grown_layout = Layout::from_size_align(size * 3, align).unwrap();
                    if size % 3 == 0 {
                        live.push((grown, grown_layout));
                    } else {
                        a.dealloc(grown, grown_layout);
                    }
                }
            }
        }
        for (p, layout) in live {
            // SAFETY: allocated above with this layout, not freed yet.
            unsafe { a.dealloc(p, layout) };
        }
    }

    /// The constructor ran before `main` and chose by this test process's own arguments.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn the_choice_follows_the_arguments() {
        let first = std::env::args_os().nth(1);
        let first = first.as_ref().map(|a| a.as_encoded_bytes());
        let expected = if mimalloc_for(first) {
            "mimalloc"
        } else {
            "glibc"
        };
        assert_eq!(name(), expected);
    }
}
