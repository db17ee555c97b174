/** The console's one error bar lives in renderer/components/ErrorBar.tsx; the connections page's name for it. */
export { ErrorBar as ErrorText, notSignedIn, useErrorText } from '../../components/ErrorBar';
