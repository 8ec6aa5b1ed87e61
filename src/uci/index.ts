// UCI (/etc/config/*) files as OpenWrt's libuci reads and writes them.
export type { UciItem, UciOption, UciPackage, UciSection } from './model.js';
export { UciEditError, UciSyntaxError } from './errors.js';
export { parseUci, parseUciLenient, type ParseOptions } from './parse.js';
export { exportUci, serializeUci, type ExportOptions } from './export.js';
export { showUci, type ShowOptions } from './show.js';
export { addListItem, addSection, createPackage, deleteOption, deleteSection, findSection, getOption, renameSection, setOption } from './edit.js';
export { readUciFile, uciPath, writeUciFile } from './file.js';
