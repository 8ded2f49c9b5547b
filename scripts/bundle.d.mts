// Types of scripts/bundle.mjs for the tests that read the bundle's module graph.
import type { BuildOptions } from 'esbuild';

export declare const ENTRIES: { patroni: string; patronictl: string };
export declare function bundleOptions(name: 'patroni' | 'patronictl'): BuildOptions;
