//! The process's allocator: mimalloc for ordinary blocks, the system allocator for large
//! ones.
//!
//! Why two: mimalloc makes the many small allocations of a batch (rows, strings, per-run
//! vectors) cheap and keeps them thread-local. But it backs its arenas with transparent
//! huge pages and copies on `realloc`, and on this kind of virtual machine a fresh huge
//! page is slow to fault in: a one-million-researcher run, whose memory is a handful of
//! pool-sized arrays, took 0.25–0.27 s after a pause against 0.12 s warm (measured,
//! docs/PERFORMANCE.md). glibc serves large blocks with `mmap` in 4 KiB pages and grows
//! them with `mremap` (no copy, no second block), which has no such penalty (0.16 s, cold
//! or warm). Blocks of [`LARGE_BLOCK`] bytes and more go to the system allocator.
//!
//! Which allocator owns a block follows from its size alone, which `dealloc` and
//! `realloc` receive with the layout the block was allocated with, so no bookkeeping is
//! needed; a `realloc` across the threshold moves the block between the two.

use std::alloc::{GlobalAlloc, Layout, System};

/// Asks the kernel not to back this process with transparent huge pages.
///
/// mimalloc asks for them (`madvise`) on its arenas. On this kind of virtual machine a
/// fresh 2 MiB page is slow to fault in after the process has been idle, and the batch
/// work gains nothing from them: with and without, baseline throughput is the same within
/// noise (3,179 and 3,267 runs/s with outputs), while a million-researcher run's peak RSS
/// falls from 114 to 84 MiB (docs/PERFORMANCE.md). Call it first thing in `main`; it
/// applies to every page faulted in afterwards. A no-op off Linux.
pub fn prefer_small_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integer arguments and only sets a flag on
    // this process; failure (an old kernel) leaves the default, which is harmless.
    unsafe {
        libc::prctl(
            libc::PR_SET_THP_DISABLE,
            1 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        );
    }
}

use mimalloc::MiMalloc;

/// Blocks at least this large (bytes) come from the system allocator.
pub const LARGE_BLOCK: usize = 1 << 20;

/// mimalloc below [`LARGE_BLOCK`], the system allocator from it on.
pub struct Hybrid;

fn is_large(size: usize) -> bool {
    size >= LARGE_BLOCK
}

// SAFETY: every block is allocated and freed by the same allocator: the choice depends
// only on the block's size, and Rust passes `dealloc` and `realloc` the size the block
// currently has. Blocks that change sides in `realloc` are copied and freed by their owner.
unsafe impl GlobalAlloc for Hybrid {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe {
            if is_large(layout.size()) {
                System.alloc(layout)
            } else {
                MiMalloc.alloc(layout)
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe {
            if is_large(layout.size()) {
                System.alloc_zeroed(layout)
            } else {
                MiMalloc.alloc_zeroed(layout)
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated with `layout`, so by the allocator its size selects.
        unsafe {
            if is_large(layout.size()) {
                System.dealloc(ptr, layout)
            } else {
                MiMalloc.dealloc(ptr, layout)
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same-side calls are forwarded with the caller's guarantees; a move
        // allocates with a valid layout (the caller guarantees `new_size` fits `align`),
        // copies the bytes both blocks hold and frees the old block with its own layout.
        unsafe {
            match (is_large(layout.size()), is_large(new_size)) {
                (true, true) => System.realloc(ptr, layout, new_size),
                (false, false) => MiMalloc.realloc(ptr, layout, new_size),
                _ => {
                    let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                    let new = self.alloc(new_layout);
                    if !new.is_null() {
                        std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    new
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Grows and shrinks a block across the threshold and back, on both sides, and
    /// checks that the contents survive every move.
    #[test]
    fn realloc_keeps_contents_across_the_threshold() {
        let a = Hybrid;
        let sizes = [64, LARGE_BLOCK - 1, LARGE_BLOCK, 3 * LARGE_BLOCK, LARGE_BLOCK / 2, 16];
        for align in [8usize, 64, 4096] {
            let mut layout = Layout::from_size_align(sizes[0], align).unwrap();
            // SAFETY: layouts are valid and non-zero; each block is used within its size.
            unsafe {
                let mut p = a.alloc(layout);
                assert!(!p.is_null());
                for i in 0..layout.size() {
                    *p.add(i) = (i % 251) as u8;
                }
                for &new_size in &sizes[1..] {
                    let kept = layout.size().min(new_size);
                    p = a.realloc(p, layout, new_size);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "alignment {align} lost at {new_size}");
                    for i in 0..kept {
                        assert_eq!(*p.add(i), (i % 251) as u8, "byte {i} after realloc to {new_size}");
                    }
                    layout = Layout::from_size_align(new_size, align).unwrap();
                    for i in kept..new_size {
                        *p.add(i) = (i % 251) as u8;
                    }
                }
                a.dealloc(p, layout);
            }
        }
    }

    #[test]
    fn zeroed_blocks_are_zero_on_both_sides() {
        let a = Hybrid;
        for size in [100, 2 * LARGE_BLOCK] {
            let layout = Layout::from_size_align(size, 16).unwrap();
            // SAFETY: a valid non-zero layout; read within the block, then freed.
            unsafe {
                let p = a.alloc_zeroed(layout);
                assert!(!p.is_null());
                assert!((0..size).all(|i| *p.add(i) == 0));
                a.dealloc(p, layout);
            }
        }
    }
}
