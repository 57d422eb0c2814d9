//! The process's allocator: mimalloc, with scratch heaps for memory that is freed all at once.
//!
//! Parsed YAML trees are built early and freed together once the objects are indexed
//! (`discover::Workspace::release_parses`), and so are the texts of the files read ahead
//! (`SourceDb::release_texts`). In the shared heap their blocks sat in the same pages as memory
//! that stays (scalar text that rendered copies share, the source database), so freeing them gave
//! few whole pages back to the system. Allocated in a heap of their own (`ScratchHeap`), their
//! pages hold nothing else, and freeing them empties the pages: webgrip's peak resident memory
//! went from 41.1 to 38.4 MiB for the trees (farm-bench medians). Memory that must outlive them is
//! taken from the shared heap even inside a scratch scope (`outside_scratch`).
//!
//! The binary (`src/main.rs`) and the unit tests install `Allocator`; where another allocator is
//! installed (the integration tests' copy of the library), the scopes change nothing.

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ffi::c_void;

/// mimalloc v3's `mi_option_purge_delay` (`include/mimalloc.h`), which libmimalloc-sys names no
/// constant for.
const MI_OPTION_PURGE_DELAY: mi::mi_option_t = 15;

thread_local! {
    /// The scratch heap this thread allocates from, or null for the shared heap (const: reading it
    /// allocates nothing).
    static SCRATCH: Cell<*mut mi::mi_heap_t> = const { Cell::new(std::ptr::null_mut()) };
}

/// mimalloc, sending a thread's allocations to the scratch heap while it is in a scratch scope.
pub struct Allocator;

impl Allocator {
    /// The heap this thread allocates from now, or null for the shared one.
    #[inline]
    fn scratch() -> *mut mi::mi_heap_t {
        SCRATCH.get()
    }
}

// SAFETY: every call is mimalloc's aligned API with the layout's size and alignment; blocks of any
// heap are freed and reallocated by mimalloc whatever heap they came from.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let heap = Self::scratch();
        unsafe {
            if heap.is_null() {
                mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            } else {
                mi::mi_heap_malloc_aligned(heap, layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let heap = Self::scratch();
        unsafe {
            if heap.is_null() {
                mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            } else {
                mi::mi_heap_zalloc_aligned(heap, layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let heap = Self::scratch();
        unsafe {
            if heap.is_null() {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            } else {
                mi::mi_heap_realloc_aligned(heap, ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}

/// Set the allocator's options; `main` calls it first.
pub fn configure() {
    // Give freed memory back to the system at once instead of 10 ms later: parsed trees and
    // rendered copies are freed while the run goes on, and the delay kept them resident
    // (webgrip's peak 71 MB with it, 62 MB without; no slower in scripts/bench-scale.sh).
    // SAFETY: sets a plain option value; mimalloc reads it when it next purges.
    unsafe { mi::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

/// A heap of its own for memory freed all together later, whose pages should hold nothing else.
/// mimalloc v3 heaps are shared by threads: each thread allocates from its own part of it, and a
/// block may be freed from any thread. Dropping it gives the pages of blocks still live to the
/// shared heap (`mi_heap_delete`); they are freed with their blocks.
pub struct ScratchHeap(*mut mi::mi_heap_t);

// SAFETY: a mimalloc v3 heap may be allocated from and deleted on any thread.
unsafe impl Send for ScratchHeap {}
unsafe impl Sync for ScratchHeap {}

impl ScratchHeap {
    pub fn new() -> ScratchHeap {
        // SAFETY: makes a new, empty heap. Null if mimalloc cannot: the scopes then allocate from
        // the shared heap, and dropping it does nothing.
        ScratchHeap(unsafe { mi::mi_heap_new() })
    }

    /// Run `f` with this thread's allocations in this heap.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        let _restore = Restore(SCRATCH.replace(self.0));
        f()
    }
}

impl Default for ScratchHeap {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for ScratchHeap {
    fn drop(&mut self) {
        // SAFETY: no thread runs in this heap any more (`run` borrows it); live blocks stay valid.
        unsafe { mi::mi_heap_delete(self.0) }
    }
}

/// Run `f` with this thread's allocations in the shared heap, inside or outside a scratch scope:
/// for memory that outlives what the scope allocates.
#[inline]
pub fn outside_scratch<R>(f: impl FnOnce() -> R) -> R {
    let _restore = Restore(SCRATCH.replace(std::ptr::null_mut()));
    f()
}

/// Puts the thread's heap back, also when `f` unwinds.
struct Restore(*mut mi::mi_heap_t);

impl Drop for Restore {
    fn drop(&mut self) {
        SCRATCH.set(self.0);
    }
}

/// The unit tests run on the binary's allocator too.
#[cfg(test)]
#[global_allocator]
static TESTS: Allocator = Allocator;

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" {
        // mimalloc v3 (`src/heap.c`); libmimalloc-sys declares no binding for it.
        fn mi_heap_contains(heap: *const mi::mi_heap_t, p: *const c_void) -> bool;
    }

    fn in_heap<T>(heap: &ScratchHeap, block: &T) -> bool {
        // SAFETY: asks which heap a live block belongs to.
        unsafe { mi_heap_contains(heap.0, block as *const T as *const c_void) }
    }

    #[test]
    fn a_scratch_scope_allocates_from_its_heap_and_only_there() {
        let scratch = ScratchHeap::new();
        let inside = scratch.run(|| Box::new([1u64; 6]));
        let outside_within = scratch.run(|| outside_scratch(|| Box::new([2u64; 6])));
        let after = Box::new([3u64; 6]);
        assert!(in_heap(&scratch, &*inside));
        assert!(!in_heap(&scratch, &*outside_within));
        assert!(!in_heap(&scratch, &*after));
    }

    #[test]
    fn blocks_outlive_their_scratch_heap_and_any_thread_frees_them() {
        let scratch = ScratchHeap::new();
        let kept: Vec<Vec<u64>> = std::thread::scope(|s| {
            s.spawn(|| scratch.run(|| (0..100u64).map(|i| vec![i; 8]).collect::<Vec<_>>())).join().unwrap()
        });
        assert!(kept.iter().all(|v| in_heap(&scratch, &v[0])));
        drop(scratch);
        let sum: u64 = std::thread::spawn(move || kept.iter().map(|v| v.iter().sum::<u64>()).sum()).join().unwrap();
        assert_eq!(sum, 8 * (0..100u64).sum::<u64>());
    }

    #[test]
    fn the_scope_ends_when_its_closure_panics() {
        let scratch = ScratchHeap::new();
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scratch.run(|| panic!("inside"))));
        let after = Box::new([4u64; 6]);
        assert!(!in_heap(&scratch, &*after));
    }
}
