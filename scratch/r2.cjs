const { Engine } = require('bpmn-engine');
const { EventEmitter } = require('events');
const xml = require('fs').readFileSync('scratch/r1.cjs','utf8').match(/`([\s\S]*?)`/)[1];
(async () => {
  const listener = new EventEmitter();
  const log = [];
  for (const ev of ['activity.start','activity.end','activity.throw','activity.catch','activity.wait','activity.discard']) listener.on(ev, (api) => log.push(ev.split('.')[1] + ':' + api.id));
  const engine = new Engine({ name: 'x', source: xml });
  await engine.execute({ listener });
  const proc = engine.execution.definitions[0].getProcesses()[0];
  const b = proc.getActivityById('b');
  const sp = proc.getActivityById('sp');
  b.broker.subscribeTmp('api', '#', (rk, m) => log.push('B-API ' + rk + ' ' + JSON.stringify(m.properties)), { noAck: true, priority: 1000 });
  sp.broker.subscribeTmp('event', 'activity.throw', (rk, m) => log.push('SP-EVENT ' + rk + ' ' + JSON.stringify(m.properties)+ m.content.id), { noAck: true, priority: 1000 });
  proc.broker.subscribeTmp('event', 'activity.throw', (rk, m) => log.push('P-EVENT ' + rk + ' ' + JSON.stringify(m.properties)+ m.content.id), { noAck: true, priority: 1000 });
  await new Promise((r) => setTimeout(r, 10));
  const [t] = engine.execution.getPostponed().flatMap((a) => a.owner.isSubProcess ? a.getPostponed() : [a]).filter((a) => a.id === 't');
  log.push('--signal');
  t.signal({});
  await new Promise((r) => setTimeout(r, 10));
  console.log(log.slice(-3).join('\n'), engine.state, engine.activityStatus); for (const d of engine.execution.definitions) { const s = Object.getOwnPropertySymbols(d.execution||{}); console.log('def', d.activityStatus); for (const p of d.getProcesses()) { const sy = Object.getOwnPropertySymbols(p.execution).find(x=>String(x).includes('tracker')); console.log(p.execution[sy]); } }
})();
setTimeout(()=>{},0);
