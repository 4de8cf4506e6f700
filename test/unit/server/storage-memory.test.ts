import { MemoryStorage } from "../../../src/server/index.js";
import { storageContract } from "./storage-contract.js";

storageContract("MemoryStorage", () => new MemoryStorage());
