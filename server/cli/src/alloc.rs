//! The process's allocator: mimalloc for the batch commands, glibc's for `marginalia lsp`.
//!
//! mimalloc makes `check` cheaper (malloc/free were about 12 % of its CPU with glibc's
//! allocator). The language server runs from the same binary but keeps glibc's allocator: its
//! memory figures rely on glibc with a single arena (see `marginalia_lsp::run_stdio`).
//!
//! The choice is made once, before the first allocation, and never changes, so every block is
//! freed by the allocator that gave it. On Linux with glibc, a constructor in `.init_array`
//! (which glibc calls with `argc`, `argv` before `main`) looks at the arguments: any argument
//! `lsp` means glibc's allocator, anything else mimalloc. Where no constructor runs, or if an
//! allocation came first, the process stays with the system allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, Ordering};

const UNDECIDED: u8 = 0;
const MIMALLOC: u8 = 1;
const SYSTEM: u8 = 2;

static CHOICE: AtomicU8 = AtomicU8::new(UNDECIDED);

/// Fixes the allocator; the first caller wins.
fn decide(wanted: u8) -> u8 {
    match CHOICE.compare_exchange(UNDECIDED, wanted, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => wanted,
        Err(already) => already,
    }
}

#[inline]
fn use_mimalloc() -> bool {
    match CHOICE.load(Ordering::Acquire) {
        MIMALLOC => true,
        SYSTEM => false,
        _ => decide(SYSTEM) == MIMALLOC,
    }
}

/// Called by glibc before `main` with the process's arguments.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" fn choose_from_args(
    argc: std::os::raw::c_int,
    argv: *const *const std::os::raw::c_char,
    _envp: *const *const std::os::raw::c_char,
) {
    let count = usize::try_from(argc).unwrap_or(0);
    let mut lsp = false;
    if !argv.is_null() {
        for i in 1..count {
            // SAFETY: glibc passes `argc` valid, NUL-terminated strings in `argv`.
            let arg = unsafe { *argv.add(i) };
            if !arg.is_null() && unsafe { std::ffi::CStr::from_ptr(arg) }.to_bytes() == b"lsp" {
                lsp = true;
            }
        }
    }
    if decide(if lsp { SYSTEM } else { MIMALLOC }) == MIMALLOC {
        // A batch run frees and reuses its memory all the time and exits soon: keeping freed
        // pages instead of returning them to the OS spares the page faults and the kernel's
        // zeroing of the same pages again (≈ 10 % of `check`'s CPU with the default delay).
        // SAFETY: `mi_option_set` only stores an option value.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
}

/// `mi_option_purge_delay` in mimalloc 3's `mimalloc.h` (`mi_option_e`); -1 is "never purge".
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MI_OPTION_PURGE_DELAY: std::os::raw::c_int = 15;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" {
    /// mimalloc's option setter (linked through the `mimalloc` crate).
    fn mi_option_set(option: std::os::raw::c_int, value: std::os::raw::c_long);
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[used]
#[link_section = ".init_array"]
static CHOOSE_FROM_ARGS: extern "C" fn(
    std::os::raw::c_int,
    *const *const std::os::raw::c_char,
    *const *const std::os::raw::c_char,
) = choose_from_args;

/// mimalloc or the system allocator, fixed for the whole process (see the module docs).
pub struct CliAllocator;

// SAFETY: every call goes to one of two allocators, the same one for the whole process, so
// blocks are always freed and resized by the allocator that gave them.
unsafe impl GlobalAlloc for CliAllocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if use_mimalloc() {
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        } else {
            unsafe { System.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if use_mimalloc() {
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        } else {
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if use_mimalloc() {
            unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
        } else {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if use_mimalloc() {
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        } else {
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_choice_is_fixed_once_made() {
        let before = super::use_mimalloc();
        assert_eq!(super::decide(super::SYSTEM), super::decide(super::MIMALLOC));
        assert_eq!(super::use_mimalloc(), before);
    }
}
