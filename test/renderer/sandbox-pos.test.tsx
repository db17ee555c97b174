/**
 * The POS simulator card of the Demo sandbox page with a fake main whose store plan is real state: the card shows
 * the store's tasks as its worker sees them, completes the selected ones or the first N open ones, starts, creates an
 * ad-hoc task (Enter in the title), says why an unlinked store shows nothing, and every text is translated.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { PosStoreTasks, PosTask, PosTasksOutput } from '../../preload/contract';
import { LANGUAGES, resources } from '../../renderer/i18n';
import { PosSimulatorCard } from '../../renderer/pages/sandbox/PosSimulatorCard';
import { fakeTransport } from '../../renderer/transport/fake';
import { renderWith } from './render';

const ME = '00000000-0000-0000-0000-000000000101';
const STORES: PosTasksOutput['stores'] = [
  { storeNumber: '001001', name: 'Nordlys Oslo Sentrum', planId: 'plan-1', teamId: 'team-1' },
  { storeNumber: '001002', name: 'Nordlys Oslo Storo', planId: null, teamId: 'team-2' },
];

function transport() {
  let seq = 0;
  const tasks: PosTask[] = [
    { id: 't-brief', title: 'Read the campaign brief', percentComplete: 0, status: 'NotStarted', dueDate: '2026-12-06', assignees: [], assignedToMe: false, createdByUser: null },
    { id: 't-drawer', title: 'Open the cash drawer', percentComplete: 0, status: 'NotStarted', dueDate: '2026-12-07', assignees: ['someone-else'], assignedToMe: false, createdByUser: null },
    { id: 't-doors', title: 'Unlock doors', percentComplete: 100, status: 'Completed', dueDate: '2026-12-07', assignees: [], assignedToMe: false, createdByUser: null },
  ];
  const view = (): PosStoreTasks => ({ storeNumber: '001001', storeName: 'Nordlys Oslo Sentrum', planId: 'plan-1', user: { upn: 'kari.berg@nordlys.example', displayName: 'Kari Berg', personnelNumber: 'NR-000101' }, tasks: tasks.map((t) => ({ ...t })) });
  const set = (t: PosTask, p: number) => Object.assign(t, { percentComplete: p, status: p >= 100 ? 'Completed' : p > 0 ? 'InProgress' : 'NotStarted' });
  return fakeTransport({
    'sandbox.posTasks': ({ storeNumber }) => {
      const selected = storeNumber ?? '001001';
      if (selected === '001002') return { stores: STORES, selected, store: null, problem: { code: 'POS_STORE_NOT_LINKED', message: 'Store 001002 is not linked. Run Link POS and Teams.', params: { storeNumber: '001002', store: 'Nordlys Oslo Storo' } } };
      return { stores: STORES, selected, store: view(), problem: null };
    },
    'sandbox.posAction': (i) => {
      if (i.action === 'createAdhoc') {
        const t: PosTask = { id: `t-new-${++seq}`, title: i.title!, percentComplete: 0, status: 'NotStarted', dueDate: i.dueDate ?? null, assignees: i.assignToSelf ? [ME] : [], assignedToMe: !!i.assignToSelf, createdByUser: ME };
        tasks.push(t);
        return { action: i.action, changed: [{ ...t }], skipped: [], store: view() };
      }
      const target = i.action === 'complete' ? 100 : 50;
      const chosen = i.taskIds ? tasks.filter((t) => i.taskIds!.includes(t.id)) : tasks.filter((t) => t.percentComplete < 100).slice(0, i.count ?? 0);
      const changed: PosTask[] = [];
      const skipped: { taskId: string; reason: 'already-completed' | 'already-started' }[] = [];
      for (const t of chosen) {
        if (t.percentComplete === 100) skipped.push({ taskId: t.id, reason: 'already-completed' });
        else changed.push({ ...set(t, target) });
      }
      return { action: i.action, changed, skipped, store: view() };
    },
  });
}

type Tree = { [k: string]: string | Tree };
const pos = (lng: string) => ((resources[lng as 'en'].common as unknown as { sandbox: { ct: { pos: Tree } } }).sandbox.ct.pos);
const err = (lng: string) => (resources[lng as 'en'].common as unknown as { errors: Record<string, string> }).errors;
const statusText = (id: string) => screen.getByTestId(`sandbox-pos-status-${id}`).textContent;

describe('sandbox page: POS simulator', () => {
  for (const { code } of LANGUAGES) {
    it(`shows the store plan's tasks as the store's worker sees them (${code})`, async () => {
      const { missing } = renderWith(<PosSimulatorCard />, transport(), code);
      await screen.findByTestId('sandbox-pos-task-t-brief');
      const card = screen.getByTestId('sandbox-pos');
      expect(within(card).getByText(pos(code).title as string)).toBeTruthy();
      expect(screen.getByTestId('sandbox-pos-user').textContent).toContain('kari.berg@nordlys.example');
      const status = pos(code).status as Tree;
      expect(statusText('t-brief')).toBe(status.NotStarted);
      expect(statusText('t-doors')).toBe(status.Completed);
      expect(within(screen.getByTestId('sandbox-pos-task-t-drawer')).getByText((pos(code).assignedOthers_one as string).replace('{{count}}', '1'))).toBeTruthy();
      // The unlinked store is marked in the picker.
      const option = within(screen.getByTestId('sandbox-pos-store')).getByRole('option', { name: new RegExp(`001002 · Nordlys Oslo Storo \\(${pos(code).notLinked as string}\\)`) });
      expect(option).toBeTruthy();
      expect(missing).toEqual([]);
    });
  }

  it('completes the selected tasks through sandbox.posAction and shows the new statuses', async () => {
    const t = transport();
    renderWith(<PosSimulatorCard />, t);
    await screen.findByTestId('sandbox-pos-task-t-brief');
    const complete = screen.getByTestId('sandbox-pos-complete') as HTMLButtonElement;
    expect(complete.disabled).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Read the campaign brief' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Unlock doors' }));
    expect(complete.textContent).toBe('Complete selected (2)');
    fireEvent.click(complete);
    await waitFor(() => expect(screen.getByTestId('sandbox-pos-done').textContent).toBe('Completed 1 task in Planner. 1 selected task was already done or started and was left as it was.'));
    expect(statusText('t-brief')).toBe('Completed');
    const sent = t.calls.filter((c) => c.method === 'sandbox.posAction').map((c) => c.payload);
    expect(sent).toEqual([{ storeNumber: '001001', action: 'complete', taskIds: ['t-brief', 't-doors'] }]);
  });

  it('starts a selected task and completes the first N open ones', async () => {
    const t = transport();
    renderWith(<PosSimulatorCard />, t);
    await screen.findByTestId('sandbox-pos-task-t-drawer');
    fireEvent.click(screen.getByRole('checkbox', { name: 'Open the cash drawer' }));
    fireEvent.click(screen.getByTestId('sandbox-pos-start'));
    await waitFor(() => expect(statusText('t-drawer')).toBe('In progress'));
    fireEvent.change(screen.getByTestId('sandbox-pos-count'), { target: { value: '2' } });
    expect(screen.getByTestId('sandbox-pos-complete-count').textContent).toBe('Complete the first 2 open tasks');
    fireEvent.click(screen.getByTestId('sandbox-pos-complete-count'));
    await waitFor(() => expect(screen.getByTestId('sandbox-pos-done').textContent).toBe('Completed 2 tasks in Planner.'));
    expect(statusText('t-brief')).toBe('Completed');
    expect(statusText('t-drawer')).toBe('Completed');
    expect(t.calls.filter((c) => c.method === 'sandbox.posAction').map((c) => c.payload)).toEqual([
      { storeNumber: '001001', action: 'start', taskIds: ['t-drawer'] },
      { storeNumber: '001001', action: 'complete', count: 2 },
    ]);
    // A count that is not a whole number ≥ 1 cannot be sent.
    fireEvent.change(screen.getByTestId('sandbox-pos-count'), { target: { value: '0' } });
    expect((screen.getByTestId('sandbox-pos-complete-count') as HTMLButtonElement).disabled).toBe(true);
  });

  it('creates an ad-hoc task (Enter in the title), assigned to the store user', async () => {
    const t = transport();
    renderWith(<PosSimulatorCard />, t);
    await screen.findByTestId('sandbox-pos-task-t-brief');
    const title = screen.getByTestId('sandbox-pos-new-title');
    fireEvent.change(title, { target: { value: 'Clean the fitting rooms' } });
    fireEvent.change(screen.getByTestId('sandbox-pos-new-due'), { target: { value: '2026-12-09' } });
    fireEvent.keyDown(title, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('sandbox-pos-done').textContent).toBe('Created the ad-hoc task "Clean the fitting rooms" in the store plan.'));
    const row = screen.getByTestId('sandbox-pos-task-t-new-1');
    expect(within(row).getByText('Me')).toBeTruthy();
    expect(within(row).getByText('A store user (ad-hoc)')).toBeTruthy();
    expect((title as HTMLInputElement).value).toBe('');
    expect(t.calls.filter((c) => c.method === 'sandbox.posAction').map((c) => c.payload)).toEqual([
      { storeNumber: '001001', action: 'createAdhoc', title: 'Clean the fitting rooms', dueDate: '2026-12-09', assignToSelf: true },
    ]);
  });

  for (const { code } of LANGUAGES) {
    it(`says to run Link POS and Teams for an unlinked store (${code})`, async () => {
      const { missing } = renderWith(<PosSimulatorCard />, transport(), code);
      await screen.findByTestId('sandbox-pos-task-t-brief');
      fireEvent.change(screen.getByTestId('sandbox-pos-store'), { target: { value: '001002' } });
      const problem = await screen.findByTestId('sandbox-pos-problem');
      expect(problem.textContent).toBe(err(code).POS_STORE_NOT_LINKED!.replace('{{storeNumber}}', '001002').replace('{{store}}', 'Nordlys Oslo Storo'));
      expect(screen.queryByTestId('sandbox-pos-task-t-brief')).toBeNull();
      expect(missing).toEqual([]);
    });
  }
});
