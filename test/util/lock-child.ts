// Run as a child process by dir-lock tests: takes the folder lock of argv[2], says "locked", and holds it
// until killed (or until the parent deletes the flag file argv[3], when given).
import * as fs from "node:fs";
import { lockDir } from "../../src/util/dir-lock.js";

const lock = await lockDir(process.argv[2], { what: "test folder" });
process.stdout.write("locked\n");
const flag = process.argv[3];
const timer = setInterval(() => {
  if (flag && !fs.existsSync(flag)) {
    lock.release();
    clearInterval(timer);
  }
}, 20);
