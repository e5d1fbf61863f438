import { mount } from 'svelte';
import App from './App.svelte';
import EmbedApp from './embed/EmbedApp.svelte';
import { registerServiceWorker } from './offline.ts';
import { live } from './state/app.svelte.ts';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('no #app element');
// The words index.html shows until the page starts (or when it cannot: public/boot.js).
target.replaceChildren();
const embed = new URLSearchParams(location.search).has('embed');
export default mount(embed ? EmbedApp : App, { target });
if (import.meta.env.PROD && !embed) registerServiceWorker(live.firstAnswer);
