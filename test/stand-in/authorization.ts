/**
 * Microsoft.Authorization as Resource Manager shows it (api-version 2022-04-01): role definitions (the built-in
 * roles the checks meet, with their real IDs and data actions, and custom roles tests add), role assignments listed
 * with $filter=assignedTo('{principalId}') at a scope (those at, above and below it), and the caller's own
 * permissions at a scope. Only deny() and denyReads() change what ARM lets a caller do; the assignments here are
 * what the step reads.
 */
import { randomUUID } from 'node:crypto';
import { json, Reply } from './http';

export interface RolePermissions {
  actions?: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
}

export interface RoleDefinitionState {
  /** The role's GUID. */
  name: string;
  roleName: string;
  type: 'BuiltInRole' | 'CustomRole';
  permissions: RolePermissions[];
  assignableScopes: string[];
}

export interface RoleAssignmentState {
  name: string;
  principalId: string;
  /** Role GUID. */
  role: string;
  scope: string;
  condition?: string;
}

const BLOBS = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';

/** Built-in roles, as Azure defines them (IDs and data actions from the public built-in roles reference). */
export const BUILT_IN_ROLES: RoleDefinitionState[] = [
  builtIn('8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'Owner', { actions: ['*'] }),
  builtIn('b24988ac-6180-42a0-ab88-20f7382dd24c', 'Contributor', {
    actions: ['*'],
    notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write'],
  }),
  builtIn('acdd72a7-3385-48ef-bd42-f606fba81ae7', 'Reader', { actions: ['*/read'] }),
  builtIn('312a565d-c81f-4fd8-895a-4e21e48d571c', 'API Management Service Contributor', {
    actions: ['Microsoft.ApiManagement/service/*', 'Microsoft.Authorization/*/read'],
  }),
  builtIn('b7e6dc6d-f1e8-4753-8033-0f276bb0955b', 'Storage Blob Data Owner', {
    actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/*'],
    dataActions: [`${BLOBS}/*`],
  }),
  builtIn('ba92f5b4-2d11-453d-a403-e96b0029c9fe', 'Storage Blob Data Contributor', {
    actions: [
      'Microsoft.Storage/storageAccounts/blobServices/containers/delete',
      'Microsoft.Storage/storageAccounts/blobServices/containers/read',
      'Microsoft.Storage/storageAccounts/blobServices/containers/write',
    ],
    dataActions: [
      `${BLOBS}/delete`,
      `${BLOBS}/read`,
      `${BLOBS}/write`,
      `${BLOBS}/move/action`,
      `${BLOBS}/add/action`,
    ],
  }),
  builtIn('2a2b9908-6ea1-4ae2-8e65-a410df84e7d1', 'Storage Blob Data Reader', {
    actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/read'],
    dataActions: [`${BLOBS}/read`],
  }),
];

function builtIn(name: string, roleName: string, permissions: RolePermissions): RoleDefinitionState {
  return { name, roleName, type: 'BuiltInRole', permissions: [permissions], assignableScopes: ['/'] };
}

const AUTHORIZATION_PATH =
  /^(.*?)\/providers\/Microsoft\.Authorization\/(roleAssignments|roleDefinitions|permissions)(?:\/([^/]+))?\/?$/i;

export class Authorization {
  private readonly definitions = new Map<string, RoleDefinitionState>(
    BUILT_IN_ROLES.map((role) => [role.name, role]),
  );
  readonly assignments: RoleAssignmentState[] = [];

  /** A custom role; returns its GUID. */
  addCustomRole(roleName: string, permissions: RolePermissions, assignableScopes: string[]): string {
    const name = randomUUID();
    this.definitions.set(name, {
      name,
      roleName,
      type: 'CustomRole',
      permissions: [permissions],
      assignableScopes,
    });
    return name;
  }

  /** Assigns a role (by name or GUID) to a principal at a scope. */
  assign(principalId: string, role: string, scope: string, condition?: string): RoleAssignmentState {
    const definition = this.find(role);
    if (!definition) throw new Error(`no role '${role}' in the stand-in`);
    const assignment = { name: randomUUID(), principalId, role: definition.name, scope, condition };
    this.assignments.push(assignment);
    return assignment;
  }

  /** Removes every assignment of the principal (at the scope, when given). */
  unassign(principalId: string, scope?: string): void {
    for (let i = this.assignments.length - 1; i >= 0; i--) {
      const assignment = this.assignments[i];
      if (
        same(assignment.principalId, principalId) &&
        (scope === undefined || same(assignment.scope, scope))
      ) {
        this.assignments.splice(i, 1);
      }
    }
  }

  /** Which authorization path this is, with its scope; undefined for other paths. */
  static match(path: string): { scope: string; kind: string; id?: string } | undefined {
    const match = AUTHORIZATION_PATH.exec(path);
    return match ? { scope: match[1], kind: match[2].toLowerCase(), id: match[3] } : undefined;
  }

  /** A GET of an authorization path at a scope that exists; `caller` is the principal ID of the caller. */
  route(path: string, query: Record<string, string>, caller: string): Reply {
    const { scope, kind, id } = Authorization.match(path)!;
    if (kind === 'roledefinitions') {
      if (id) {
        const definition = this.definitions.get(id.toLowerCase());
        return definition
          ? json(200, this.definitionResource(definition, scope))
          : json(404, {
              error: {
                code: 'RoleDefinitionDoesNotExist',
                message: "The specified role definition with ID '" + id + "' does not exist.",
              },
            });
      }
      // Built-in roles, and custom roles assignable at this scope or above it.
      const usable = [...this.definitions.values()].filter(
        (definition) =>
          definition.type === 'BuiltInRole' ||
          definition.assignableScopes.some((assignable) => covers(assignable, scope)),
      );
      return json(200, { value: usable.map((definition) => this.definitionResource(definition, scope)) });
    }
    if (kind === 'roleassignments') {
      const principal = /^assignedTo\('([^']+)'\)$/i.exec(query.$filter ?? '')?.[1];
      const assignments = this.assignments.filter(
        (assignment) =>
          (principal === undefined || same(assignment.principalId, principal)) &&
          (covers(assignment.scope, scope) || covers(scope, assignment.scope)),
      );
      return json(200, {
        value: assignments.map((assignment) => this.assignmentResource(assignment, scope)),
      });
    }
    // permissions: what the caller's own roles allow at the scope.
    const permissions = this.assignments
      .filter((assignment) => same(assignment.principalId, caller) && covers(assignment.scope, scope))
      .flatMap((assignment) => this.definitions.get(assignment.role)?.permissions ?? []);
    return json(200, {
      value: permissions.map((permission) => ({
        actions: permission.actions ?? [],
        notActions: permission.notActions ?? [],
        dataActions: permission.dataActions ?? [],
        notDataActions: permission.notDataActions ?? [],
      })),
    });
  }

  private find(role: string): RoleDefinitionState | undefined {
    return (
      this.definitions.get(role.toLowerCase()) ??
      [...this.definitions.values()].find((definition) => definition.roleName === role)
    );
  }

  private definitionResource(definition: RoleDefinitionState, scope: string): Record<string, unknown> {
    const subscription = /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? '';
    return {
      id: `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${definition.name}`,
      name: definition.name,
      type: 'Microsoft.Authorization/roleDefinitions',
      properties: {
        roleName: definition.roleName,
        type: definition.type,
        description: definition.roleName,
        assignableScopes: definition.assignableScopes,
        permissions: definition.permissions.map((permission) => ({
          actions: permission.actions ?? [],
          notActions: permission.notActions ?? [],
          dataActions: permission.dataActions ?? [],
          notDataActions: permission.notDataActions ?? [],
        })),
      },
    };
  }

  private assignmentResource(assignment: RoleAssignmentState, scope: string): Record<string, unknown> {
    const subscription = /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? '';
    return {
      id: `${assignment.scope}/providers/Microsoft.Authorization/roleAssignments/${assignment.name}`,
      name: assignment.name,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: {
        roleDefinitionId: `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${assignment.role}`,
        principalId: assignment.principalId,
        principalType: 'ServicePrincipal',
        scope: assignment.scope,
        condition: assignment.condition ?? null,
        conditionVersion: assignment.condition ? '2.0' : null,
      },
    };
  }
}

/** Is `below` at or under `above`? */
export function covers(above: string, below: string): boolean {
  const a = above.replace(/\/+$/, '').toLowerCase();
  const b = below.replace(/\/+$/, '').toLowerCase();
  return a === '' || a === b || b.startsWith(`${a}/`);
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
