import { adminSections } from '../auth/permissions';
import { useAuth } from '../auth/useAuth';
import { AuditPanel } from './AuditPanel';
import { DevicesPanel } from './DevicesPanel';
import { FormularyPanel } from './FormularyPanel';
import { RuleSetPanel } from './RuleSetPanel';
import { UsersPanel } from './UsersPanel';

/** Users, device keys, the audit log, the formulary and the rule set: whatever of these the role may manage. No patient data here. */
export function AdminPage() {
  const role = useAuth((s) => s.user?.role);
  const sections = role ? adminSections(role) : [];
  return (
    <div className="admin-page" data-testid="admin-page">
      <nav className="admin-nav">
        {sections.includes('users') && <a href="#admin-users">Users</a>}
        {sections.includes('devices') && <a href="#admin-devices">Devices</a>}
        {sections.includes('audit') && <a href="#admin-audit">Audit log</a>}
        {sections.includes('formulary') && <a href="#admin-formulary">Formulary</a>}
        {sections.includes('ruleset') && <a href="#admin-ruleset">Rule set</a>}
      </nav>
      {sections.includes('users') && <UsersPanel />}
      {sections.includes('devices') && <DevicesPanel />}
      {sections.includes('audit') && <AuditPanel />}
      {sections.includes('formulary') && <FormularyPanel />}
      {sections.includes('ruleset') && <RuleSetPanel />}
    </div>
  );
}
