import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

// Mailed confirmation links and OAuth2 results (`#/auth/…`) belong to the server's confirmation page.
if (location.hash.startsWith('#/auth/')) location.replace(`auth.html${location.hash}`);
else mount(App, { target: document.getElementById('app')! });
