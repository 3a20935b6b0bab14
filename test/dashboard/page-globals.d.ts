// What the tests reach in the page through `window.relaisDashboard` (see src/dashboard/web/main.ts).
declare global {
  interface Window {
    relaisDashboard?: {
      sendControl(control: { action: 'grant' | 'revoke' | 'next' | 'reorder'; site?: string; queue?: string[] }): string;
      model: { floor: unknown; apply(topic: string, payload: Uint8Array, now: number): unknown };
      render(): void;
    } | null;
  }
}
export {};
