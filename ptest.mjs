import fs from 'node:fs'; import path from 'node:path';
import { Parser, Lexer, Composer, parseAllDocuments, LineCounter } from 'yaml';
const files=[]; (function w(d){for(const e of fs.readdirSync(d,{withFileTypes:true})){const f=path.join(d,e.name); if(e.isDirectory()) w(f); else if(f.endsWith('.yaml')) files.push(f);}})(process.argv[2]);
const texts=files.map(f=>fs.readFileSync(f,'utf8'));
function time(name, fn){ const t=performance.now(); fn(); console.log(name, Math.round(performance.now()-t)); }
const mode=process.argv[3];
for (let i=0;i<3;i++){
if(mode==='lex') time('lex', ()=>{ for(const t of texts){ for (const _ of new Lexer().lex(t)); } });
if(mode==='cst') time('cst', ()=>{ for(const t of texts){ for (const _ of new Parser().parse(t)); } });
if(mode==='full') time('full', ()=>{ for(const t of texts) parseAllDocuments(t); });
}
