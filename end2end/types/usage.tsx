// The element in JSX (React 18 types, Preact, Solid read the global JSX
// namespace that herald-bell.d.ts extends).
import '../../public/embed/herald-bell';

export const header = (
  <herald-bell server="https://herald.example.com" token-url="/herald/token" className="bell" />
);
export const withToken = <herald-bell token="t0k3n" />;
// @ts-expect-error `server` is a URL string
export const wrong = <herald-bell server={42} />;
