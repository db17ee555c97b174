import { useLayoutEffect } from 'react';

/**
 * Keyboard users land back where they were: while `open`, remember the element that had the focus when the dialog
 * opened (its opener) and focus it again when the dialog closes or unmounts. Fluent restores focus only for
 * dialogs opened through a DialogTrigger; ours are opened from state (and some unmount on close), so this does it.
 * If the opener is gone (e.g. the deleted profile's card), focus moves to the main content instead of the page top.
 */
export function useReturnFocus(open: boolean): void {
  useLayoutEffect(() => {
    if (!open) return undefined;
    const active = document.activeElement;
    const opener = active instanceof HTMLElement && active !== document.body ? active : null;
    return () => {
      // After Fluent has finished closing (it may move the focus itself while unmounting).
      setTimeout(() => {
        if (document.activeElement && document.activeElement !== document.body && !opener) return;
        if (opener?.isConnected) opener.focus();
        else document.getElementById('main-content')?.focus();
      }, 0);
    };
  }, [open]);
}
