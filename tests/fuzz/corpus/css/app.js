#!/usr/bin/env node
import a from "./a.js";
import { b } from "../b.js";
export * from "./c.js";
const d = await import("./d.js");
const re = /"`[/]/g, t = `${ `${x}` } //# not`;
x = y / z;
//# sourceMappingURL=app.js.map
