import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import { useId, type ReactNode } from 'react';
import { useReturnFocus } from './useReturnFocus';

/** A modal question with Cancel and one primary action; `children` is the explanation. Labels come translated. */
export function ConfirmDialog(props: {
  open: boolean;
  title: ReactNode;
  children: ReactNode;
  cancelLabel: string;
  confirmLabel: string;
  confirmTestId: string;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const textId = useId();
  useReturnFocus(props.open);
  return (
    <Dialog open={props.open} onOpenChange={(_, d) => !d.open && props.onCancel()}>
      <DialogSurface aria-describedby={textId}>
        <DialogBody>
          <DialogTitle>{props.title}</DialogTitle>
          <DialogContent id={textId}>{props.children}</DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={props.onCancel}>
              {props.cancelLabel}
            </Button>
            <Button appearance="primary" data-testid={props.confirmTestId} onClick={props.onConfirm}>
              {props.confirmLabel}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
