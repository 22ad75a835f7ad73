import type PopupMenu from 'diagram-js/lib/features/popup-menu/PopupMenu';

type Entries = Record<string, unknown>;
interface Shape {
  type?: string;
  businessObject?: { $type?: string; $parent?: { $type?: string; triggeredByEvent?: boolean; $parent?: { $type?: string } } };
}

/**
 * Replace-menu entries the server refuses at deploy (engine/definitions/structure-rules.ts,
 * event-rules.ts, call-activity-rules.ts) or that run as something else than drawn:
 *  - script tasks (`no-script-task`: diagrams never run code) and complex gateways (`no-complex-gateway`);
 *  - a conditional start event of a process (`conditional-start`; allowed on an event sub-process
 *    directly in the process, see {@link conditionalStartAllowed});
 *  - manual tasks: they create no user task (`manual-task` warning), so nobody could complete them.
 */
const REFUSED_REPLACEMENTS = ['replace-with-script-task', 'replace-with-complex-gateway', 'replace-with-manual-task'];
const CONDITIONAL_START = ['replace-with-conditional-start', 'replace-with-non-interrupting-conditional-start'];
/** `call-activity`: multi-instance and loop call activities are refused. */
const LOOP_TOGGLES = ['toggle-parallel-mi', 'toggle-sequential-mi', 'toggle-loop'];

/** A conditional start event is allowed only in an event sub-process that sits directly in the process. */
function conditionalStartAllowed(target: Shape): boolean {
  const container = target.businessObject?.$parent;
  return container?.$type === 'bpmn:SubProcess' && container.triggeredByEvent === true && container.$parent?.$type === 'bpmn:Process';
}

/**
 * Limits the replace menu to what the engine runs, so that nothing offered is refused at deploy
 * (every entry of bpmn-js's palette runs: start, intermediate and end events, exclusive gateway,
 * task, data object and store, sub-process, pool, group). It only removes entries; the live lint still reports anything pasted or imported.
 */
export default class EngineScope {
  static $inject = ['popupMenu'];

  constructor(popupMenu: PopupMenu) {
    // Low priority: runs after bpmn-js's own provider has added its entries.
    popupMenu.registerProvider('bpmn-replace', 100, this as never);
  }

  getPopupMenuEntries(target: Shape): (entries: Entries) => Entries {
    return (entries) => {
      const out = { ...entries };
      for (const id of REFUSED_REPLACEMENTS) delete out[id];
      if (!conditionalStartAllowed(target)) for (const id of CONDITIONAL_START) delete out[id];
      return out;
    };
  }

  getPopupMenuHeaderEntries(target: Shape): (entries: Entries) => Entries {
    return (entries) => {
      if (target.businessObject?.$type !== 'bpmn:CallActivity') return entries;
      const out = { ...entries };
      for (const id of LOOP_TOGGLES) delete out[id];
      return out;
    };
  }
}
